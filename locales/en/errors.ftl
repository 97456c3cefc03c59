# cowork, English: error messages and hints that the server sends, in JSON and on the
# error page. Every message id starts with "error-".

## Error page

error-title = Something went wrong
error-code = Error code
error-title-bad-request = Bad Request
error-title-unauthorized = Unauthorized
error-title-forbidden = Forbidden
error-title-not-found = Not Found
error-title-internal = Internal Server Error
error-title-bad-gateway = Bad Gateway
error-title-unavailable = Service Unavailable
error-title-too-many-requests = Too Many Requests
error-title-too-large = Request Too Large

## Kinds of error, each with its hint

error-launch-rejected = The launch was rejected: { $detail }.
error-login-rejected = The login was rejected: { $detail }.
error-foreign-origin = The request came from a page that is not part of cowork.
error-foreign-origin-hint = Open cowork from your course page.
error-forbidden = You cannot do this: { $reason }.
error-forbidden-hint = Ask a teacher of the course if you think you should.
error-invalid = The request is invalid: { $reason }.
error-invalid-hint = Correct the value and try again.
error-session-missing = This page needs a launch from your course, and none was found or it has expired.
error-session-missing-hint = Open the activity again from the course page. If this keeps happening inside the course page, ask the teacher to set the activity to open in a new window.
error-wrong-space = Your launch is for a different coworking space.
error-wrong-space-hint = Open this activity from its own course page.
error-registration-rejected = cowork did not accept this registration: { $reason }.
error-registration-rejected-hint = A cowork administrator creates a one-time registration link with `cowork platform invite`; paste that link as the tool URL in Moodle's LTI Advantage registration.
error-registration-failed = The registration with the platform failed: { $reason }.
error-registration-failed-hint = Check the platform's address and that it offers LTI Advantage registration, then start the registration again from the platform.
error-roster-failed = The course roster could not be read from the platform: { $reason }.
error-roster-failed-hint = Check that the tool may use the platform's Names and Role Provisioning service, then try again.
error-not-found = There is no page at this address.
error-not-found-hint = Check the link, or open cowork from your course.
error-rate-logins = Too many logins from this platform are starting at once; try again in { $seconds } seconds.
error-rate-logins-hint = Open the activity again from the course page in a moment. If this happens at the start of every class, an administrator can raise COWORK_LOGIN_RATE_PER_MINUTE.
error-rate-launches = Too many launches from this platform are arriving at once; try again in { $seconds } seconds.
error-rate-launches-hint = Open the activity again from the course page in a moment. If this happens at the start of every class, an administrator can raise COWORK_LOGIN_RATE_PER_MINUTE.
error-rate-writes = You are sending changes faster than cowork accepts; try again in { $seconds } seconds.
error-rate-writes-hint = Wait a moment before you send the next message or change.
error-login-states-full = Too many logins from this platform are in progress; try again in { $seconds } seconds.
error-login-states-full-hint = Open the activity again from the course page in a moment. If this persists, an administrator can raise COWORK_LOGIN_STATES_MAX.
error-body-too-large = The request body is larger than { $kib } KiB, the most cowork accepts in one request.
error-body-too-large-hint = Send a shorter text, or split it into several messages. Files go through the showcase's upload form, which has its own limit.
error-socket-token = The live connection was opened without a valid connection token, or with one that has expired or belongs to another space.
error-socket-token-hint = Reload the page; it asks for a new token each time it connects.
error-storage-unavailable = cowork cannot reach its database right now.
error-storage-unavailable-hint = Try again in a minute. If it persists, an administrator should check the database.
error-internal = Something went wrong inside cowork.
error-internal-hint = Try again; if it persists, tell an administrator the time it happened.

## What to do about a rejected launch or login

error-hint-launch-form = The request did not come from an LTI 1.3 platform in the expected form. Start the activity again from the course page.
error-hint-unknown-registration = Register this platform in cowork (cowork platform add) with the issuer and client ID shown in Moodle's tool configuration.
error-hint-target-link-uri-origin = The tool URL configured in the platform must point at this cowork server's public URL (COWORK_PUBLIC_URL).
error-hint-state-expired = The login took too long or was started elsewhere. Open the activity again from the course page.
error-hint-replayed = This launch was already used; a launch works once. Open the activity again from the course page.
error-hint-nonce = The launch does not belong to the login that started it. Open the activity again from the course page; if it keeps failing, check that only one cowork registration answers for this platform.
error-hint-signature = The id_token was not signed as LTI 1.3 requires. Check that the platform's public keyset URL in cowork is the platform's JWKS URL.
error-hint-kid = The platform signed with a key its JWKS does not publish. Check the JWKS URL registered in cowork, or wait a minute if the platform just rotated its keys.
error-hint-jwks-unavailable = cowork could not fetch the platform's public keys. Check that the JWKS URL is reachable from the cowork server.
error-hint-client = The issuer or client ID in cowork's registration does not match the platform's. Compare them with Moodle's tool configuration.
error-hint-clock = The clocks of the platform and of cowork disagree, or the launch was delayed. Check both servers' time (NTP).
error-hint-message-type = The platform sent a message cowork does not handle. Configure the tool as LTI 1.3 with resource link and deep linking messages.
error-hint-deployment = Add the deployment ID shown in Moodle's tool configuration to cowork's registration (cowork platform add --deployment-id).
error-hint-incomplete-launch = The platform sent an incomplete launch. Check the platform's LTI 1.3 configuration for this tool.
error-hint-launch-origin = The launch was posted by a page that is not the platform's. Open the activity from the course page; if that fails too, check that the platform's issuer in cowork is the site's address.
error-hint-login-not-bound = Open the activity in a new window from the course page. If this keeps happening, the platform's administrator can let the site send its origin (in Moodle: Site administration > Security > HTTP security > Referrer policy, not "no-referrer").

## Why a launch was rejected

error-launch-form-oversized = the launch form's id_token or state is oversized or contains a NUL character
error-launch-form-no-id-token = the launch form has no id_token
error-launch-form-no-state = the launch form has no state
error-launch-state-replayed = this state was already used by a launch
error-launch-state-expired = the login state has expired
error-launch-state-unknown = the state was not issued by this tool
error-launch-foreign-origin = the launch was posted from { $origin }, while the platform's pages are at { $expected }
error-launch-not-bound = the launch came from a page without an origin, and the browser did not return the cookie of the login that issued this state
error-launch-registration-removed = the registration was removed during the login
error-launch-nonce-replayed = the id_token's nonce was already used by an earlier launch
error-launch-state-mismatch = the id_token belongs to another login than this state
error-launch-nonce-not-issued = the id_token's nonce was never issued by this tool
error-launch-token-not-jws = the id_token is not a compact JWS (three dot-separated parts)
error-launch-header-not-base64url = the id_token header is not base64url
error-launch-header-not-json = the id_token header is not a JSON object
error-launch-alg-unsupported = the id_token is signed with { $alg }; LTI 1.3 requires RS256
error-launch-alg-missing = the id_token header has no alg
error-launch-key-in-header = the id_token header carries a key ({ $parameter }); keys are taken only from the platform's JWKS URL
error-launch-kid-missing = the id_token header has no kid, so the platform key cannot be chosen
error-launch-kid-unknown = the platform JWKS at { $url } has no key with kid { $kid }
error-launch-jwks-unavailable = fetching the platform JWKS at { $url } failed: { $reason }
error-launch-signature = the id_token signature is invalid: { $reason }
error-launch-claim-nul = a claim contains a NUL character, which cowork cannot store
error-launch-issuer = iss is { $issuer } but the registration's issuer is { $expected }
error-launch-nonce = the id_token nonce is not the one issued with this state
error-launch-version = LTI version is { $version }; cowork supports 1.3.0
error-launch-message-type = message type { $message_type } is not supported; cowork accepts { $supported }
error-launch-deployment = deployment_id { $deployment_id } is not registered for this platform
error-launch-target-link-uri = target_link_uri { $target_link_uri } differs from the login's { $expected }
error-launch-roles-not-strings = the roles claim is not a list of strings
error-launch-roles-missing = the roles claim is missing
error-launch-resource-link = a resource link launch must carry resource_link.id
error-launch-deep-linking-settings = a deep linking request must carry deep_linking_settings.deep_link_return_url
error-launch-subject-length = sub must be 1 to 255 characters
error-launch-aud-not-string = aud lists a value that is not a string
error-launch-aud-missing = aud is missing or not a string or list
error-launch-aud = aud { $audiences } does not contain this tool's client_id { $client_id }
error-launch-azp = azp { $azp } is not this tool's client_id { $client_id }
error-launch-azp-missing = aud lists several clients but azp is missing
error-launch-expired = the id_token expired { $seconds ->
    [one] { $seconds } second
   *[other] { $seconds } seconds
} ago
error-launch-issued-in-future = iat is { $seconds ->
    [one] { $seconds } second
   *[other] { $seconds } seconds
} in the future; check the platform's clock
error-launch-claim-out-of-range = { $name } is out of range
error-launch-claim-not-seconds = { $name } must be a number of seconds, got { $found }
error-launch-claim-missing = { $name } is missing
error-launch-claim-not-string = { $name } must be a string, got { $found }
error-launch-claim-malformed = claim { $name } is malformed: { $reason }

## Kinds of JSON value, as the launch checks name them

error-json-null = null
error-json-boolean = a boolean
error-json-number = a number
error-json-string = a string
error-json-list = a list
error-json-object = an object

## Why a login was rejected

error-login-deployment = deployment_id { $deployment_id } is not registered for client_id { $client_id }
error-login-parameter-too-long = the login request's { $name } is longer than { $max } bytes
error-login-parameter-nul = the login request's { $name } contains a NUL character
error-login-parameter-missing = the login request has no { $name }
error-login-target-origin = target_link_uri { $target_link_uri } is not on this tool's origin { $origin }
error-login-unknown-client = no platform is registered with issuer { $issuer } and client_id { $client_id }
error-login-unknown-issuer = no platform is registered with issuer { $issuer }
error-login-ambiguous-issuer = issuer { $issuer } has several registrations and the login request names no client_id
error-login-auth-url = the registered auth URL { $auth_url } is invalid: { $reason }

## Shared request checks

error-json-body = { $reason }
error-teachers-only = only teachers of the course can do this
error-muted = a teacher muted you in this space for now; try again later
error-field-one-line = { $field } must be one line; remove the line breaks
error-field-length = { $field } must be { $min } to { $max } characters, got { $length }

## Help desk

error-help-anonymous-ask = an anonymous launch cannot ask for help
error-help-anonymous-offer = an anonymous launch cannot offer help
error-help-anonymous-post = an anonymous launch cannot post
error-help-anonymous-resolve = an anonymous launch cannot resolve requests
error-help-anonymous-thank = an anonymous launch cannot thank anyone
error-help-anonymous-delete = an anonymous launch cannot delete requests
error-help-own-request = you cannot offer help on your own request
error-help-resolve-not-asker = only the person who asked can mark a request resolved
error-help-helper-not-candidate = helper_id { $helper_id } has neither offered help nor posted on this request; name one of those people, or leave helper_id out
error-help-thanks-need-helper = a thank-you note needs a helper: set helper_id too
error-help-thank-not-asker = only the person who asked can thank the helper
error-help-no-helper = this request has no named helper to thank; resolve it naming the helper first
error-help-already-thanked = you already thanked the helper for this request
error-help-delete-not-allowed = only the person who asked or a teacher can delete a request
error-help-not-open = this request is already resolved or closed, so it takes no more offers, posts or changes
error-help-tag-too-long = tag { $tag } has { $length } characters; each tag may have at most { $max }
error-help-tag-character = tag { $tag } contains { $character }; use letters, digits and - + . _ # only, and separate tags with commas
error-help-too-many-tags = a request can have at most { $max } tags, got { $count }
error-field-too-long = { $field } has { $length } characters; the maximum is { $max }
error-field-nul = { $field } contains a NUL character
error-field-longer-than = { $field } is longer than { $max } characters

## Rooms and space settings

error-rooms-anonymous-create = an anonymous launch cannot create rooms
error-rooms-teachers-create = the teacher allows only teachers to create rooms here
error-rooms-default-archive = the open space and the quiet zone cannot be archived
error-rooms-anonymous-join = an anonymous launch cannot join a team
error-rooms-members-team-only = only team tables have members
error-rooms-edit-window = edit_window_secs { $seconds } is outside 0..=86400 seconds
error-rooms-retention-days = retention_days { $days } is outside 0..={ $max } days; 0 removes the space's own period
error-privacy-confirm = confirm must be true: erasure cannot be undone
error-privacy-erase-teacher = teachers and admins, yourself included, can be erased only by the server administrator with cowork privacy erase
error-rooms-mute-minutes = minutes { $minutes } is outside 0..={ $max }
error-rooms-kind = kind { $kind } cannot be created; use "team" or "discussion"
error-rooms-positions-discussion-only = only discussion rooms have positions
error-rooms-positions-count = a discussion needs 2 to { $max } positions, got { $count }
error-rooms-position-repeated = position { $position } is repeated or has a line break

## Events

error-events-nul = a field contains a NUL character
error-events-kind = kind { $kind } is not one of { $kinds }
error-events-duration = duration_minutes { $minutes } is outside 5..={ $max }
error-events-time-zone = time_zone { $time_zone } is not an IANA time zone name such as Europe/Moscow
error-events-date = date { $date } is not YYYY-MM-DD
error-events-time = time { $time } is not HH:MM
error-events-clock-change = { $date } { $time } does not exist or is ambiguous in { $time_zone } because of a clock change; pick another time
error-events-teachers-only = only teachers of the course can plan events
error-events-anonymous-rsvp = an anonymous launch cannot reply to events
error-events-response = response { $response } is not one of { $responses }
error-events-over = the event is cancelled or over

## Focus sessions

error-focus-anonymous = an anonymous launch can see focus sessions but not start one
error-focus-minutes = minutes must be 25, 50 or 75, got { $minutes }
error-focus-already-running = you already have a focus session; check in or abandon it before starting another
error-focus-not-owner = only the person who started a focus session can check in or abandon it
error-focus-finished-with = this focus session is already finished with the outcome { $outcome }
error-focus-outcome = outcome { $outcome } is not one of "met", "partly" or "not_met"
error-focus-still-running = the session runs for { $seconds ->
    [one] { $seconds } more second
   *[other] { $seconds } more seconds
}; check in at or after its end, or abandon it
error-focus-finished = this focus session is already finished
error-focus-ended = the session has already ended; check in instead of abandoning it

## Partners board

error-partners-description-length = description must be at most { $max } characters, got { $length }
error-partners-anonymous-interest = an anonymous launch cannot express interest
error-partners-anonymous-withdraw = an anonymous launch cannot withdraw interest
error-partners-teacher-interest = only students express interest; teachers see who is interested
error-partners-closed = the deadline of this entry was { $deadline }, so it no longer accepts interest
error-partners-no-interest = you have not expressed interest in this entry, so there is nothing to withdraw
error-partners-kind = kind { $kind } is not one of organisation, project, internship, mentor
error-partners-email = contact_email { $email } is not a valid e-mail address; use the form name@example.org
error-partners-url-scheme = contact_url { $url } must be an http:// or https:// address, for example https://example.org
error-partners-url = contact_url { $url } is not a valid URL ({ $reason }); use an address such as https://example.org
error-partners-date = deadline { $date } is not a valid date; use YYYY-MM-DD, for example 2030-06-30
error-partners-year = deadline { $date } has year { $year }; use a year from 2000 to 2100

## Showcase

error-showcase-anonymous = an anonymous launch can read the showcase but not write in it
error-showcase-comment-empty = the comment is empty; write something first
error-showcase-comment-too-long = the comment has { $length } characters; the maximum is { $max }
error-showcase-reaction = emoji { $emoji } is not one of the reactions { $reactions }
error-showcase-score = { $field } must be a whole number from 1 to 5, got { $score }
error-showcase-own-feedback = authors cannot give feedback on their own work
error-showcase-feedback-empty = works and improve are both empty; write what works, what to improve, or both
error-showcase-remove-not-allowed = only the author and teachers of the course can remove an item

## Showcase uploads

error-upload-not-multipart = { $reason }; send the form as multipart/form-data
error-upload-link-and-file = the form has both a link and a file; give one of them
error-upload-no-link-or-file = the form has neither a link nor a file; give an http or https link or choose a file
error-upload-too-many-parts = the form has more than { $max } parts; send only lt, title, description, link and file
error-upload-unknown-field = unknown form field { $field }; send only lt, title, description, link and file
error-upload-unreadable = the form could not be read: { $reason }
error-upload-field-too-long = the field { $field } is longer than { $max } bytes
error-upload-field-utf8 = the field { $field } is not valid UTF-8 text
error-upload-too-large = the file is larger than the upload limit of { $limit }; choose a smaller file or publish a link to it
error-upload-link = link { $link } is not a valid URL ({ $reason }); give a full address such as https://example.edu/work
error-upload-link-scheme = link { $link } must be an http:// or https:// address
error-upload-file-unnamed = the file has no name; give it a name with an extension, such as report.pdf
error-upload-file-name-length = the file name has { $length } characters; the maximum is { $max }, so rename the file
error-size-mib = { $mib } MiB ({ $bytes } bytes)
error-size-bytes = { $bytes } bytes

## Showcase file types

error-file-no-extension = the file name { $name } has no extension; accepted types are { $accepted }
error-file-type = files of type .{ $extension } are not accepted; accepted types are { $accepted }
error-file-empty = the file { $name } is empty
error-file-content = the file { $name } is named .{ $extension }, but its content is { $content }, not { $expected }; upload the file in its real format with the matching extension
error-content-pdf = a PDF document
error-content-png = a PNG image
error-content-jpeg = a JPEG image
error-content-gif = a GIF image
error-content-webp = a WebP image
error-content-zip = a ZIP archive
error-content-docx = a Word document (.docx)
error-content-xlsx = an Excel workbook (.xlsx)
error-content-pptx = a PowerPoint presentation (.pptx)
error-content-odt = an OpenDocument text (.odt)
error-content-ods = an OpenDocument spreadsheet (.ods)
error-content-odp = an OpenDocument presentation (.odp)
error-content-text = plain text
error-content-markup = HTML, SVG or XML markup
error-content-unknown = data of an unknown type

## Grades

error-grades-teachers-only = only teachers of the course can see and send grades
error-grades-sync-mode = sync_mode { $mode } is not one of auto, schedule or manual
error-grades-no-target = the platform sent no grade service endpoint for this space; enable "IMS LTI Assignment and Grade Services" for the tool in Moodle and launch the activity again
error-grades-no-platform = the platform registration of this space was removed; register the platform again
error-grades-no-line-item = the launch carried no line item and the platform does not allow creating one; use a graded activity in Moodle
error-grades-line-item = creating the gradebook column failed: { $reason }
error-grades-points = points { $points } must be between -1000 and 1000
error-grades-reason = the reason must have 1 to { $max } characters
error-grades-not-participant = user { $user_id } is not a participant of this space

## Grading rule

error-rule-points = { $field } must be between 0 and 1000, got { $value }
error-rule-post-min-chars = post_min_chars must be between 0 and 10000, got { $value }
error-rule-weekly-target = weekly_target must be a positive number of at most 10000, got { $value }
error-rule-weekly-cap = weekly_cap ({ $cap }) must be at least the weekly target ({ $target }) and at most 100000
error-rule-whole-number = { $field } must be a whole number, got “{ $value }”
error-rule-number = { $field } must be a number, got “{ $value }”
error-rule-unreadable = the grading rule could not be read: { $detail }
error-rule-score-maximum = score_maximum must be between 1 and 10000, got { $value }

## Roster

error-roster-teachers-only = only teachers of the course can see the roster
error-roster-no-source = no launch into this space carried the platform's membership service; enable the Names and Role Provisioning service for the tool in the platform and launch again

## Dynamic registration

error-register-parameter-missing = the registration request has no { $name }; start the registration from the platform (in Moodle: Manage tools, paste the cowork link as the tool URL and press Add LTI Advantage)
error-register-configuration-url = openid_configuration { $url } is not a URL with a host
error-register-host-not-allowed = registration needs a one-time invitation link, and the platform host { $host } is not in registration_allowed_hosts
error-register-invite-used = this invitation link was already used; create a new one with `cowork platform invite`
error-register-invite-expired = this invitation link has expired; create a new one with `cowork platform invite`
error-register-invite-unknown = this invitation link is not one that cowork issued; create a new one with `cowork platform invite`

## Chat

error-chat-anonymous = an anonymous launch can read the space but not write in it
error-chat-anonymous-presence = an anonymous launch has no presence
error-chat-muted = you are muted in this space until { $until } (Unix time)
error-chat-storage = cowork cannot reach its database; try again shortly
error-chat-no-open-room = no open room with this id in your space
error-chat-no-room = no room with this id in your space
error-chat-parent-elsewhere = the message you reply to is not in this room
error-chat-stance = { $stance } is not a position of this discussion
error-chat-room-archived = the room was archived
error-chat-edit-not-author = only the author can edit a message
error-chat-edit-too-late = the time to edit this message has passed
error-chat-delete-not-allowed = only the author or a teacher can delete a message
error-chat-delete-too-late = the time to delete this message has passed
error-chat-moderate-teachers-only = only teachers can pin or hide messages
error-chat-reaction = { $emoji } is not one of the reactions { $reactions }
error-chat-message-deleted = the message was deleted
error-chat-no-message = no message with this id in your space
error-chat-body-empty = the message is empty
error-chat-body-nul = the message contains a NUL character
error-chat-body-too-long = the message has { $length } characters; the maximum is { $max }
error-chat-frame-json = the message is not valid JSON for this socket: { $reason }
error-chat-status = { $status } is not one of { $statuses }

## Deep Linking

error-dl-settings-not-object = deep_linking_settings is not a JSON object
error-dl-return-url-scheme = deep_link_return_url { $url } is not an http or https address
error-dl-teachers-only = only a teacher of the course can add cowork activities
error-dl-no-course = the platform sent no course with this request; add cowork from inside a course
error-dl-nothing-chosen = choose at least one thing to add to the course
error-dl-one-item = the course accepts one activity at a time; choose one
error-dl-presentation = the course cannot open an activity as “{ $value }”; choose one of the offered ways
error-dl-unknown-choice = “{ $value }” is not something cowork can add
error-dl-room-not-in-course = the chosen room is not an open room of this course; reload the page and choose again
error-dl-space-not-in-course = the chosen space is not part of this course; reload the page and choose again
error-dl-title-missing = every chosen activity needs a title; fill in its title field
error-dl-title-length = a title may have at most { $max } characters
error-dl-text-length = the description may have at most { $max } characters
error-dl-control-characters = the { $field } contains control characters; remove them
error-dl-unknown = this page does not belong to a current request to add an activity; start again with “Select content” in the course
error-dl-used = this choice was already sent to the course; to add more, start again with “Select content”
error-dl-expired = this page expired after an hour; start again with “Select content” in the course
error-dl-field-title = title
error-dl-field-description = description

# Questionnaires
error-questionnaire-teachers-only = only teachers of this space can manage questionnaires and see their results
error-questionnaire-item-kind = item { $position } has kind { $kind }; use likert5, likert7, satisfaction, nps, single, multiple or text
error-questionnaire-options-unexpected = item { $position } has options, but only single and multiple choice items take options; remove them
error-questionnaire-options-count = item { $position } has { $count } options; a choice item needs 2 to { $max }
error-questionnaire-scale-kind = item { $position } names a scale, but only likert5, likert7 and satisfaction items can form a scale
error-questionnaire-wave = wave must be "pre", "post" or empty, got { $wave }
error-questionnaire-pre = pre_id { $pre_id } must name a "pre" questionnaire of this space, and only a "post" questionnaire can link to one
error-questionnaire-pair-anonymity = a "post" questionnaire and its "pre" questionnaire must both be anonymous or both named; set "anonymous" to the same value in both
error-questionnaire-window = closes_at must be later than opens_at
error-questionnaire-item-count = a questionnaire needs 1 to { $max } items, got { $count }
error-questionnaire-template = template { $template } is unknown; use one of { $templates }
error-questionnaire-answered = someone has already answered, so items and anonymity can no longer change; only the title, description and times can
error-questionnaire-status = status must be "open" or "closed", got { $status }
error-questionnaire-value = item { $position } takes values from { $min } to { $max }, got { $value }
error-questionnaire-missing-value = item { $position } has no answer; send "value" (or "values" for a multiple choice item) or leave the item out
error-questionnaire-anonymous-session = an anonymous launch cannot answer questionnaires, because the course platform did not identify you
error-questionnaire-not-open = this questionnaire does not take answers now: it is not open, or its time window has passed
error-questionnaire-unknown-item = item { $item_id } is not an item of this questionnaire
error-questionnaire-duplicate-item = item { $item_id } is answered twice; send one answer per item
error-questionnaire-empty-response = the response has no answers; answer at least one item
error-questionnaire-undecided-flag = count_undecided must be "true" or "false", got { $value }
error-questionnaire-weights = weights { $weights } must be five numbers from -1 to 1, separated by commas, from "fully dissatisfied" to "fully satisfied"
error-export-teachers-only = only teachers of this space can export its data
error-export-window-value = { $field } { $value } is not a date or a time; use a date such as 2026-03-01 or Unix seconds
error-export-window-order = the window is empty: from ({ $from }) must be before until ({ $until }) in Unix seconds
error-export-window-long = the window is longer than { $weeks } weeks; choose a later from or an earlier until
error-dashboard-date = { $field } { $value } is not a date; write it as YYYY-MM-DD, for example 2026-09-01
error-dashboard-window = the window from { $from } until { $until } is empty; choose an end date on or after the start date
error-dashboard-window-long = the window is longer than { $weeks } weeks; choose a shorter one
error-dashboard-no-user = the course platform did not identify you, so cowork has no activity of yours to show
