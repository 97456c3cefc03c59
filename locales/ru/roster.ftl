# Страница списка курса, русский.

roster-title = Список курса
roster-nav = Список
roster-back = Назад к комнатам и настройкам
roster-link = Список курса
roster-intro = Все, кого платформа курса указывает в этом курсе, включая тех, кто ещё не открывал пространство. Имена видны, только если платформа их передаёт.
roster-refresh = Обновить из курса
roster-empty = Список пуст. Обновите его, чтобы получить участников курса с платформы.
roster-no-service = Платформа не передала службу участников ни в одном запуске этого пространства. Включите для инструмента службу Names and Role Provisioning на платформе и запустите его снова.
roster-never-synced = Список ещё не загружался с платформы.
roster-synced-at = Последняя загрузка с платформы: { $time }.
roster-sync-failed = Последнее обновление не удалось: { $reason }
roster-name = Имя
roster-role = Роль
roster-status = Запись на курс
roster-last-seen = Последний визит
roster-contributions = Вклад
roster-never = Ни разу
roster-role-teacher = Преподаватель
roster-role-other = Другая роль
roster-role-student = Студент
roster-status-active = Активен
roster-status-inactive = Неактивен
roster-status-deleted = Покинул курс
js-roster-refreshing = Загружаем участников курса…
js-roster-failed = Обновить не удалось. Попробуйте ещё раз.
