# Страница событий, русский.

events-title = События
events-nav = Страницы событий
events-back = Вернуться в пространство
events-export = Экспорт в календарь (.ics)
events-none = Событий не запланировано.
events-cancelled = Отменено
events-planned-in = по времени
events-location = Где
events-rsvp = Вы придёте?
events-yes = Да
events-maybe = Возможно
events-no = Нет
events-cancel = Отменить событие
events-new = Запланировать событие
events-field-title = Название
events-field-kind = Вид
events-field-date = Дата
events-field-time = Время начала
events-field-duration = Длительность (минуты)
events-field-zone = Часовой пояс
events-field-location = Место или ссылка
events-field-agenda = Повестка
events-create = Запланировать
events-kind-lecture = Панорамная лекция
events-kind-discussion = Виртуальная дискуссия
events-kind-partner_hour = Час встречи с партнёром
events-kind-other = Встреча
events-going = { $count ->
    [one] { $count } человек придёт
    [few] { $count } человека придут
   *[many] { $count } человек придут
}
events-maybe-count = возможно: { $count }
js-events-saved = Ваш ответ сохранён.
js-events-failed = Запрос не выполнен. Попробуйте ещё раз.
js-events-confirm-cancel = Отменить это событие для всех?
