# events: ru strings.
