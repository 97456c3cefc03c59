# showcase: en strings.
