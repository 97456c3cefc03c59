# partners: en strings.
