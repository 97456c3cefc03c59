# focus: ru strings.
