# Сессии фокуса в тихой зоне, русский.

focus-title = Сессии фокуса
focus-back-to-space = Вернуться в пространство
focus-intro = Работайте над одной целью заданное время в тихой зоне рядом с теми, кто делает то же. В конце отметьте, как всё прошло.
focus-mine-heading = Ваша сессия
focus-read-only = Вы видите, кто сейчас сосредоточен, но не можете начать сессию, потому что платформа курса не передала, кто вы.
focus-goal = Цель на эту сессию
focus-goal-hint = Одно короткое предложение, например «Написать введение к отчёту».
focus-length = Длительность
focus-duration = { $count ->
    [one] { $count } минута
    [few] { $count } минуты
   *[many] { $count } минут
}
focus-start = Начать
focus-started = начало
focus-ends = конец
focus-minutes-left = { $count ->
    [0] время вышло
    [one] осталась { $count } минута
    [few] осталось { $count } минуты
   *[many] осталось { $count } минут
}
focus-abandon = Закончить досрочно
focus-check-in-question = Время вышло. Удалось ли достичь цели?
focus-outcome-met = Цель достигнута
focus-outcome-partly = Частично
focus-outcome-not_met = Не достигнута
focus-outcome-abandoned = Закончена досрочно
focus-note = Заметка (необязательно)
focus-check-in = Отметиться
focus-running-heading = Сейчас сосредоточены
focus-running-empty = Сейчас никто не проводит сессию фокуса.
focus-you = (вы)
focus-unnamed = Участник без имени
focus-history-heading = Ваши недавние сессии

js-focus-failed = Запрос не выполнен. Обновите страницу и попробуйте ещё раз.
js-focus-offline = Не удаётся связаться с cowork. Проверьте подключение и попробуйте ещё раз.
js-focus-confirm-abandon = Закончить эту сессию фокуса раньше времени?
js-focus-you = (вы)
js-focus-ends = конец
