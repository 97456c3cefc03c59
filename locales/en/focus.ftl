# focus: en strings.
