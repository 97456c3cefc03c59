# cowork, English. Message ids starting with "js-" are sent to the page scripts.

## Roles

role-admin = Administrator
role-teacher = Teacher
role-student = Student
role-guest = Guest

## Relative times

just-now = just now
minutes-ago = { $count ->
    [one] { $count } minute ago
   *[other] { $count } minutes ago
}
hours-ago = { $count ->
    [one] { $count } hour ago
   *[other] { $count } hours ago
}
days-ago = { $count ->
    [one] { $count } day ago
   *[other] { $count } days ago
}

## Space page

space-default-course = Course
space-default-activity = Coworking space
space-anonymous = Anonymous
space-unnamed = Unnamed participant
space-you = You
space-back = Back to course
space-rooms = Rooms
space-recent = Recently here
space-recent-empty = Nobody else has been here recently.
space-frame-notice = Your browser does not keep cowork's session inside this frame, so this page works only as long as it stays open.
space-open-window = Open the space in a new window
space-skip = Skip to content
space-people-count = { $count ->
    [one] { $count } person has been here recently
   *[other] { $count } people have been here recently
}
