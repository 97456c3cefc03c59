# help: ru strings.
