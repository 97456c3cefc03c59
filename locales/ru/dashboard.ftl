# Панели пространства, русский.

dashboard-title = Панель коворкинга
dashboard-own-title = Мой коворкинг
dashboard-nav = Разделы панели
dashboard-from = С
dashboard-until = По
dashboard-apply = Показать
dashboard-window = С { $from } по { $until } (UTC, оба дня включительно), { $weeks ->
    [one] { $weeks } неделя
    [few] { $weeks } недели
   *[many] { $weeks } недель
}. Недели отсчитываются с первого дня.
dashboard-summary = Сводка
dashboard-students = Студенты
dashboard-active-students = Активные студенты
dashboard-no-students = Ни один студент ещё не открыл пространство.
dashboard-student = Студент
dashboard-week = Неделя
dashboard-trends = Активность и динамика
dashboard-activity = Активность по неделям
dashboard-activity-summary = Столбцы взаимодействий по неделям и видам: всего { $total } за { $weeks } нед.
dashboard-activity-chat = Чат
dashboard-activity-help = Помощь
dashboard-activity-showcase = Витрина
dashboard-activity-other = Прочее
dashboard-mobility-trend = Мобильность по неделям
dashboard-mobility-trend-summary = Линии активных студентов, первых контактов между студентами и переходов между комнатами по неделям.
dashboard-trend-active = Активные студенты
dashboard-trend-new-contacts = Новые контакты
dashboard-trend-switches = Переходы между комнатами
dashboard-communication-trend = Ответы по неделям
dashboard-communication-trend-summary = Линия доли вопросов недели, на которые кто-то ответил, в процентах.
dashboard-trend-response-rate = Вопросы с ответом, %
dashboard-questions = Вопросы
dashboard-first-reply = Медиана первого ответа
dashboard-minutes = { $value } мин
dashboard-hours = { $value } ч
dashboard-days = { $value } дн.
dashboard-network = Сеть взаимодействий
dashboard-network-help = Каждая точка — студент, линия соединяет двух студентов, которые взаимодействовали; чем толще линия, тем больше взаимодействий, чем крупнее точка, тем больше партнёров. Пустые красные квадраты — студенты без взаимодействий с другими студентами. На схеме 1500 самых сильных пар, в таблице 50 самых сильных; все пары есть в таблице связей в выгрузке данных.
dashboard-network-summary = Студентов на круге: { $students }, пар со взаимодействием: { $pairs } (на схеме самые сильные: { $drawn }), изолированных студентов: { $isolated }.
dashboard-interactions = Взаимодействия
dashboard-room-coverage = Охват комнат
dashboard-contact-reach = Охват студентов
dashboard-active-weeks = Активные недели
dashboard-degree = Партнёры
dashboard-attention = Кому нужно внимание
dashboard-attention-empty = В этом периоде никому не нужно особое внимание.
dashboard-reasons = Причины
dashboard-reason-isolated = нет взаимодействий с другими студентами
dashboard-reason-inactive-since = не активен две недели, последний раз { $date }
dashboard-reason-never-active = нет активности в периоде
dashboard-reason-unanswered-help = { $count ->
    [one] { $count } запрос помощи без ответа
    [few] { $count } запроса помощи без ответа
   *[many] { $count } запросов помощи без ответа
}
dashboard-no-questionnaires = Ни одна анкета ещё не открыта.
dashboard-questionnaire = Анкета
dashboard-questionnaire-status = Состояние
dashboard-questionnaire-indices = Индекс удовлетворённости
dashboard-questionnaire-index = вопрос { $number }: { $value } (n = { $n })
dashboard-questionnaire-details = Статистика
dashboard-questionnaire-open = Результаты и тесты
dashboard-comparison-none = У двух анкет нет общих вопросов или шкал для сравнения.
dashboard-definitions = Как вычисляются показатели
dashboard-term-mobility-index = Индекс мобильности
dashboard-def-mobility-index = От 0 до 1: взвешенное среднее доли комнат, где студент работал (0,20), доли командных столов (0,10), переходов между комнатами на посещение (0,15), доли взаимодействий со студентами вне своих команд (0,20), доли охваченных студентов (0,20) и доли недель с активностью (0,15). Неприменимая часть, например командные столы в пространстве без них, не учитывается, а остальные веса пропорционально увеличиваются. Значение пространства — среднее по студентам.
dashboard-term-response-rate = Доля ответов
dashboard-def-response-rate = Доля вопросов, на которые ответил кто-то кроме автора. Вопрос — сообщение чата, которое начинает ветку и оканчивается на «?», или запрос помощи.
dashboard-term-first-reply = Медиана времени до первого ответа
dashboard-def-first-reply = Медиана времени от вопроса с ответом до первого ответа другого человека.
dashboard-term-density = Плотность сети
dashboard-def-density = Число пар студентов, которые взаимодействовали, делённое на число всех возможных пар.
dashboard-term-reciprocity = Взаимность
dashboard-def-reciprocity = Доля односторонних контактов (A обратился к B), на которые ответили тем же (B обратился к A).
dashboard-term-eigenvector = Центральность по собственному вектору
dashboard-def-eigenvector = Студент центральный, если он взаимодействует с центральными студентами; значения образуют вектор длины 1, у изолированных студентов 0.
dashboard-term-isolated = Изолированные студенты
dashboard-def-isolated = Студенты без взаимодействий с другими студентами в периоде. Взаимодействия — ответы, упоминания, реакции, предложения и ответы в запросах помощи, благодарности, отзывы, комментарии и реакции на витрине.
dashboard-term-inactive = Неактивные студенты
dashboard-def-inactive = Студенты, которые за последние 14 дней периода не входили в комнаты и ничего не делали.
dashboard-points = Баллы
dashboard-points-total = Баллов на сейчас
dashboard-points-awarded = Из них начислено преподавателем
dashboard-grade = Оценка на сейчас
dashboard-weeks = Учтено недель
dashboard-progress = Эта неделя
dashboard-progress-text = { $points } из { $target } баллов на этой неделе.
dashboard-points-by-week = Баллы по неделям
dashboard-points-summary = Столбцы баллов за каждую неделю правила оценивания; недельная цель — { $target } баллов.
dashboard-contributions = Мой вклад
dashboard-contribution = Вклад
dashboard-count = Количество
dashboard-kind-message = Сообщения
dashboard-kind-reply = Ответы
dashboard-kind-reaction = Реакции
dashboard-kind-help_request = Запросы помощи
dashboard-kind-help_given = Оказанная помощь
dashboard-kind-showcase_item = Работы на витрине
dashboard-kind-feedback = Отзывы
dashboard-kind-focus_completed = Завершённые сессии фокуса
dashboard-kind-questionnaire_answered = Заполненные анкеты
dashboard-partners = С кем я работал
dashboard-partners-empty = В этом периоде вы ещё не взаимодействовали с другими студентами.
dashboard-own-mobility = Моя мобильность
dashboard-rooms = Общение по комнатам
dashboard-no-rooms = В этом периоде ни в одной комнате нет сообщений и взаимодействий.
dashboard-room = Комната
dashboard-replies-per-thread = Ответов на ветку
