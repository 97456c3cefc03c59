# help: ru strings.

## Help desk page

help-page-title = Взаимопомощь
help-back = Вернуться в коворкинг
help-intro = Попросите группу о помощи или помогите другому. Автор запроса отмечает его решённым и указывает, кто помог.
help-unnamed = Участник без имени
help-ask-heading = Попросить о помощи
help-field-title = Тема
help-field-description = Описание
help-description-hint = Расскажите, что вы уже пробовали и где застряли. Можно использовать Markdown: **жирный**, *курсив*, `код`, списки и ссылки.
help-field-tags = Нужные навыки (необязательно)
help-tags-hint = До 8 коротких меток через запятую, например: excel, статистика, слайды.
help-ask-submit = Попросить о помощи
help-read-only = Вы можете читать запросы, но не писать, потому что платформа курса не передала, кто вы.
help-open-heading = Открытые запросы
help-open-empty = Открытых запросов нет.
help-finished-heading = Решённые запросы
help-finished-empty = Решённых запросов пока нет.
help-asked-by = Автор: { $name }
help-yours = Ваш запрос
help-tags-label = Навыки
help-offers-none = Помощь пока никто не предложил.
help-offered-by = Предложили помощь: { $names }
help-offer = Предложить помощь
help-offered = Вы предложили помощь.
help-close = Закрыть запрос
help-delete = Удалить запрос
help-conversation = { $count ->
    [0] Обсуждение (сообщений пока нет)
    [one] Обсуждение ({ $count } сообщение)
    [few] Обсуждение ({ $count } сообщения)
    [many] Обсуждение ({ $count } сообщений)
   *[other] Обсуждение ({ $count } сообщения)
}
help-asker-badge = Автор запроса
help-reply-label = Ваш ответ
help-reply-submit = Отправить ответ
help-conversation-closed = Обсуждение закрыто, потому что запрос больше не открыт.
help-resolve-legend = Отметить решённым
help-resolve-helper = Кто вам помог?
help-resolve-nobody = Никто, получилось самостоятельно
help-resolve-thanks = Благодарность помощнику (необязательно)
help-resolve-submit = Отметить решённым
help-status-resolved = Решён
help-status-resolved-by = Решён. Помощник: { $name }
help-status-closed = Закрыт преподавателем
help-thanks-from = { $name } благодарит:
help-thank-field = Благодарность (получатель: { $name })
help-thank-submit = Поблагодарить

## Help desk page script

js-help-sending = Отправка…
js-help-failed = Не получилось:
js-help-saved = Сохранено. Обновляем страницу…
js-help-confirm-close = Закрыть этот запрос? Он перейдёт в список решённых, и новые предложения и ответы станут невозможны.
js-help-confirm-delete = Удалить этот запрос вместе с обсуждением? Отменить это нельзя.
