# Course roster page, English.

roster-title = Course roster
roster-nav = Roster
roster-back = Back to rooms and settings
roster-link = Course roster
roster-intro = Everyone the course platform lists for this course, including people who have not opened the space yet. Names appear only when the platform shares them.
roster-refresh = Refresh from the course
roster-empty = The roster is empty. Refresh it to read the course members from the platform.
roster-no-service = The platform has not offered its membership service in a launch of this space. Enable the Names and Role Provisioning service for the tool in the platform and launch again.
roster-never-synced = The roster has not been read from the platform yet.
roster-synced-at = Last read from the platform at { $time }.
roster-sync-failed = The last refresh failed: { $reason }
roster-name = Name
roster-role = Role
roster-status = Enrolment
roster-last-seen = Last visit
roster-contributions = Contributions
roster-never = Never
roster-role-teacher = Teacher
roster-role-other = Other
roster-role-student = Student
roster-status-active = Active
roster-status-inactive = Inactive
roster-status-deleted = Left the course
js-roster-refreshing = Reading the course members…
js-roster-failed = The refresh failed. Try again.
