# partners: ru strings.
