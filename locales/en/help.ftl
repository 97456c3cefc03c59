# help: en strings.
