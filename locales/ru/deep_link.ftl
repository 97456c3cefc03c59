# deep_link: ru strings: the page where a teacher chooses what to add to a course.

deep-link-title = Добавить cowork в курс
deep-link-what = Что добавить
deep-link-what-one = Выберите один элемент.
deep-link-what-many = Выберите один или несколько элементов; каждый станет отдельным элементом курса.
deep-link-new-space = Новое пространство для коворкинга
deep-link-new-space-help = Комнаты, чат, взаимопомощь, витрина, партнёры и события для всего курса, со своей колонкой в журнале оценок.
deep-link-item-title = Название в курсе
deep-link-description = Описание (необязательно)
deep-link-default-title = Пространство для коворкинга
deep-link-rooms-of = Комнаты пространства «{ $space }»
deep-link-help-desk = Взаимопомощь
deep-link-space-number = Пространство { $number }
deep-link-grading = Оценивание нового пространства
deep-link-grading-help = Участие приносит баллы по этому правилу, и cowork отправляет итоговую оценку в журнал. Ссылка на комнату засчитывается в оценку её пространства.
deep-link-grade-column = Создать колонку в журнале оценок
deep-link-open = Как курс открывает элемент
deep-link-open-iframe = Внутри страницы курса
deep-link-open-window = В новом окне
deep-link-add = Добавить в курс
deep-link-cancel = Отмена
deep-link-back = Вернуться в курс
deep-link-unsupported-types = Это место курса не принимает ссылки на элементы, а cowork добавляет только их. Добавьте cowork как элемент курса.
deep-link-returning = Отправляем ваш выбор в курс…
deep-link-continue = Продолжить
deep-link-added = { $count ->
    [one] cowork добавил { $count } элемент
    [few] cowork добавил { $count } элемента
   *[many] cowork добавил { $count } элементов
}
deep-link-rule-summary = Баллы и недельная цель (значения по умолчанию подходят для типичного курса)
