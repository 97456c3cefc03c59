# showcase: ru strings.
