# events: en strings.
