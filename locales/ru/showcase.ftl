# Витрина работ, русский.

showcase-title = Витрина работ
showcase-back-to-space = Вернуться в пространство
showcase-intro = Поделитесь тем, что вы сделали в этом курсе, а также смотрите, обсуждайте и оценивайте работы других.
showcase-publish-heading = Опубликовать работу
showcase-field-title = Название
showcase-field-description = Описание
showcase-field-description-hint = Необязательно. Работает Markdown: **жирный**, _курсив_, списки и ссылки.
showcase-field-work = Ваша работа
showcase-field-work-hint = Укажите ссылку или выберите файл, но не то и другое вместе.
showcase-field-link = Ссылка (http или https)
showcase-field-file = Файл
showcase-field-file-hint = До { $limit }: PDF, PNG, JPEG, GIF, WebP, обычный текст, CSV, ZIP, файлы Word, Excel, PowerPoint или OpenDocument.
showcase-publish = Опубликовать
showcase-read-only = Вы можете смотреть витрину, но не публиковать, потому что платформа курса не передала, кто вы.
showcase-items-heading = Опубликованные работы
showcase-empty = Пока ничего не опубликовано.
showcase-featured = Отмечено преподавателем
showcase-unnamed = Участник без имени
showcase-size-bytes = { $count ->
    [one] { $count } байт
    [few] { $count } байта
   *[many] { $count } байт
}
showcase-size-kib = { $size } КиБ
showcase-size-mib = { $size } МиБ
showcase-comment-count = { $count ->
    [one] { $count } комментарий
    [few] { $count } комментария
   *[many] { $count } комментариев
}
showcase-reaction-count = { $count ->
    [one] { $count } реакция
    [few] { $count } реакции
   *[many] { $count } реакций
}
showcase-feedback-count = { $count ->
    [one] { $count } отзыв
    [few] { $count } отзыва
   *[many] { $count } отзывов
}
showcase-open-link = Открыть ссылку
showcase-download = Скачать файл
showcase-teacher-actions = Действия преподавателя
showcase-feature = Отметить
showcase-unfeature = Снять отметку
showcase-remove = Удалить
showcase-reactions-heading = Реакции
showcase-react-with = Отреагировать: { $emoji }
showcase-feedback-heading = Отзывы участников
showcase-criterion-clarity = Ясность
showcase-criterion-clarity-hint = Легко ли понять, что делает работа и зачем?
showcase-criterion-originality = Оригинальность
showcase-criterion-originality-hint = Есть ли в ней собственная идея или подход?
showcase-criterion-usefulness = Полезность
showcase-criterion-usefulness-hint = Поможет ли она кому-то на практике?
showcase-field-works = Что получилось
showcase-field-improve = Что улучшить
showcase-feedback-give = Оставить отзыв (1 — слабо, 5 — отлично)
showcase-feedback-edit = Изменить отзыв (1 — слабо, 5 — отлично)
showcase-feedback-save = Сохранить отзыв
showcase-feedback-own = Здесь другие оставляют отзывы о вашей работе; вы видите их все.
showcase-comments-heading = Комментарии
showcase-comments-empty = Комментариев пока нет.
showcase-comment-label = Ваш комментарий
showcase-comment-send = Отправить комментарий

js-showcase-failed-status = Запрос не выполнен. Обновите страницу и попробуйте ещё раз.
js-showcase-offline = Не удаётся связаться с cowork. Проверьте подключение и попробуйте ещё раз.
js-showcase-file-too-large = Файл больше допустимого размера, указанного под полем файла. Выберите файл поменьше или опубликуйте ссылку на него.
js-showcase-confirm-remove = Удалить эту работу из витрины для всех? Её файл будет удалён.
