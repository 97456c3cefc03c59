# cowork, русский. Сообщения с идентификаторами на "js-" передаются сценариям страницы.

## Роли

role-admin = Администратор
role-teacher = Преподаватель
role-student = Студент
role-guest = Гость

## Относительное время

just-now = только что
minutes-ago = { $count ->
    [one] { $count } минуту назад
    [few] { $count } минуты назад
   *[many] { $count } минут назад
}
hours-ago = { $count ->
    [one] { $count } час назад
    [few] { $count } часа назад
   *[many] { $count } часов назад
}
days-ago = { $count ->
    [one] { $count } день назад
    [few] { $count } дня назад
   *[many] { $count } дней назад
}

## Страница пространства

space-default-course = Курс
space-default-activity = Коворкинг
space-anonymous = Аноним
space-unnamed = Участник без имени
space-you = Вы
space-back = Вернуться в курс
space-rooms = Комнаты
space-recent = Недавно здесь
space-recent-empty = Недавно здесь больше никого не было.
space-frame-notice = Браузер не сохраняет сеанс cowork внутри этой рамки, поэтому страница работает, только пока она открыта.
space-open-window = Открыть пространство в новом окне
space-skip = Перейти к содержимому
space-people-count = { $count ->
    [one] { $count } человек был здесь недавно
    [few] { $count } человека были здесь недавно
   *[many] { $count } человек были здесь недавно
}
