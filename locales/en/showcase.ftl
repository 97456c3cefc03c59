# Showcase of work products, English.

showcase-title = Showcase
showcase-back-to-space = Back to the space
showcase-intro = Share what you made in this course, and see, discuss and give feedback on the work of others.
showcase-publish-heading = Publish your work
showcase-field-title = Title
showcase-field-description = Description
showcase-field-description-hint = Optional. Markdown works: **bold**, _italic_, lists and links.
showcase-field-work = Your work
showcase-field-work-hint = Give a link or choose a file, not both.
showcase-field-link = Link (http or https)
showcase-field-file = File
showcase-field-file-hint = Up to { $limit }: PDF, PNG, JPEG, GIF, WebP, plain text, CSV, ZIP, Word, Excel, PowerPoint or OpenDocument files.
showcase-publish = Publish
showcase-read-only = You can look at the showcase but not publish, because the course platform did not identify you.
showcase-items-heading = Published work
showcase-empty = Nothing has been published yet.
showcase-featured = Featured by a teacher
showcase-unnamed = Unnamed participant
showcase-size-bytes = { $count ->
    [one] { $count } byte
   *[other] { $count } bytes
}
showcase-size-kib = { $size } KiB
showcase-size-mib = { $size } MiB
showcase-comment-count = { $count ->
    [one] { $count } comment
   *[other] { $count } comments
}
showcase-reaction-count = { $count ->
    [one] { $count } reaction
   *[other] { $count } reactions
}
showcase-feedback-count = { $count ->
    [one] { $count } feedback entry
   *[other] { $count } feedback entries
}
showcase-open-link = Open the link
showcase-download = Download the file
showcase-teacher-actions = Teacher actions
showcase-feature = Feature
showcase-unfeature = Stop featuring
showcase-remove = Remove
showcase-reactions-heading = Reactions
showcase-react-with = React with { $emoji }
showcase-feedback-heading = Peer feedback
showcase-criterion-clarity = Clarity
showcase-criterion-clarity-hint = Is it easy to follow what the work does and why?
showcase-criterion-originality = Originality
showcase-criterion-originality-hint = Does it bring an idea or approach of its own?
showcase-criterion-usefulness = Usefulness
showcase-criterion-usefulness-hint = Would it help someone in practice?
showcase-field-works = What works
showcase-field-improve = What to improve
showcase-feedback-give = Give feedback (1 = weak, 5 = excellent)
showcase-feedback-edit = Edit your feedback (1 = weak, 5 = excellent)
showcase-feedback-save = Save feedback
showcase-feedback-own = Others give feedback on your work here; you see every entry.
showcase-comments-heading = Comments
showcase-comments-empty = No comments yet.
showcase-comment-label = Your comment
showcase-comment-send = Post comment

js-showcase-failed-status = The request failed. Reload the page and try again.
js-showcase-offline = cowork cannot be reached. Check your connection and try again.
js-showcase-file-too-large = This file is larger than the upload limit shown below the file field. Choose a smaller file or publish a link to it.
js-showcase-confirm-remove = Remove this item from the showcase for everyone? Its file is deleted.
