# partners: ru strings.

## Partners board page

partners-page-title = Партнёры
partners-back = Вернуться в коворкинг
partners-intro = Организации, проекты, стажировки и наставники, которых рекомендуют преподаватели курса. Сообщите преподавателям о своём интересе, и они помогут связаться.
partners-intro-teacher = Добавляйте для студентов организации, проекты, стажировки и наставников. Студенты могут проявить интерес; кто заинтересовался и их комментарии видят только преподаватели.
partners-unnamed = Участник без имени
partners-kind-organisation = Организация
partners-kind-project = Проект
partners-kind-internship = Стажировка
partners-kind-mentor = Наставник
partners-new-heading = Добавить запись
partners-field-kind = Тип
partners-field-name = Название
partners-field-description = Описание
partners-description-hint = Можно использовать Markdown: **жирный**, *курсив*, списки и ссылки.
partners-field-contact-name = Контактное лицо (необязательно)
partners-field-contact-email = Электронная почта (необязательно)
partners-field-contact-url = Сайт (необязательно, http:// или https://)
partners-field-deadline = Срок (необязательно)
partners-deadline-hint = Студенты могут проявить интерес до конца этого дня (UTC). После него запись показывается закрытой.
partners-create-submit = Добавить запись
partners-open-heading = Открытые возможности
partners-open-empty = Сейчас открытых возможностей нет.
partners-closed-heading = Закрытые возможности
partners-archived-heading = Архив
partners-closed-badge = Закрыто
partners-archived-badge = В архиве
partners-deadline = Проявить интерес можно до { $date }
partners-deadline-passed = Закрыто: срок истёк { $date }
partners-contact-person = Контактное лицо
partners-contact-email = Почта
partners-contact-website = Сайт
partners-interest-count = { $count ->
    [0] Пока никто не проявил интерес
    [one] Заинтересовался { $count } студент
    [few] Заинтересовались { $count } студента
    [many] Заинтересовались { $count } студентов
   *[other] Заинтересовались { $count } студента
}
partners-interest-yours = Вы проявили интерес.
partners-your-note = Ваш комментарий: { $note }
partners-interest-note = Комментарий для преподавателей (необязательно)
partners-interest-submit = Мне интересно
partners-interest-update = Обновить комментарий
partners-interest-withdraw = Отозвать интерес
partners-interested-heading = Заинтересованные студенты
partners-interested-none = Пока никого.
partners-archive = В архив
partners-restore = Вернуть из архива
partners-edit = Изменить запись
partners-save = Сохранить изменения

## Partners board page script

js-partners-sending = Отправка…
js-partners-failed = Не получилось:
js-partners-saved = Сохранено. Обновляем страницу…
js-partners-confirm-archive = Перенести запись в архив? Студенты перестанут её видеть.
js-partners-confirm-withdraw = Отозвать ваш интерес к этой записи?
