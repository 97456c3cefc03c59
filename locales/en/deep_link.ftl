# deep_link: en strings: the page where a teacher chooses what to add to a course.

deep-link-title = Add cowork to the course
deep-link-what = What to add
deep-link-what-one = Choose one activity.
deep-link-what-many = Choose one or more activities; each becomes its own item in the course.
deep-link-new-space = A new coworking space
deep-link-new-space-help = Rooms, chat, help desk, showcase, partners and events for the whole course, with its own gradebook column.
deep-link-item-title = Title in the course
deep-link-description = Description (optional)
deep-link-default-title = Coworking space
deep-link-rooms-of = Rooms of “{ $space }”
deep-link-help-desk = Help desk
deep-link-space-number = Space { $number }
deep-link-grading = Grading of a new space
deep-link-grading-help = Participation earns points by this rule, and cowork sends the resulting grade to the gradebook. A link to a room counts towards its space's grade.
deep-link-grade-column = Create a gradebook column
deep-link-open = How the course opens it
deep-link-open-iframe = Inside the course page
deep-link-open-window = In a new window
deep-link-add = Add to the course
deep-link-cancel = Cancel
deep-link-back = Return to the course
deep-link-unsupported-types = This place in the course accepts no activity links, the only content cowork adds. Add cowork as an activity instead.
deep-link-returning = Sending your choice to the course…
deep-link-continue = Continue
deep-link-added = { $count ->
    [one] cowork added one activity
   *[other] cowork added { $count } activities
}
deep-link-rule-summary = Points and weekly target (the defaults suit a typical course)
