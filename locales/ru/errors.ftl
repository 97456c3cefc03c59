# cowork, русский: сообщения об ошибках и подсказки, которые сервер отправляет в JSON и
# на странице ошибки. Идентификатор каждого сообщения начинается с "error-".

## Страница ошибки

error-title = Что-то пошло не так
error-code = Код ошибки
error-title-bad-request = Неверный запрос
error-title-unauthorized = Требуется вход
error-title-forbidden = Доступ запрещён
error-title-not-found = Страница не найдена
error-title-internal = Внутренняя ошибка сервера
error-title-bad-gateway = Ошибка шлюза
error-title-unavailable = Сервис недоступен
error-title-too-many-requests = Слишком много запросов
error-title-too-large = Слишком большой запрос

## Виды ошибок, у каждого своя подсказка

error-launch-rejected = Запуск отклонён: { $detail }.
error-login-rejected = Вход отклонён: { $detail }.
error-foreign-origin = Запрос пришёл со страницы, которая не относится к cowork.
error-foreign-origin-hint = Откройте cowork со страницы своего курса.
error-forbidden = Это действие вам недоступно: { $reason }.
error-forbidden-hint = Если вы считаете, что оно должно быть вам доступно, обратитесь к преподавателю курса.
error-invalid = Запрос некорректен: { $reason }.
error-invalid-hint = Исправьте значение и попробуйте снова.
error-session-missing = Для этой страницы нужен запуск из вашего курса, но он не найден или срок его действия истёк.
error-session-missing-hint = Снова откройте элемент со страницы курса. Если внутри страницы курса это повторяется, попросите преподавателя настроить открытие элемента в новом окне.
error-wrong-space = Ваш запуск относится к другому пространству коворкинга.
error-wrong-space-hint = Откройте этот элемент с его собственной страницы курса.
error-registration-rejected = cowork не принял эту регистрацию: { $reason }.
error-registration-rejected-hint = Администратор cowork создаёт одноразовую ссылку для регистрации командой `cowork platform invite`; вставьте эту ссылку как URL инструмента при регистрации LTI Advantage в Moodle.
error-registration-failed = Регистрация на платформе не удалась: { $reason }.
error-registration-failed-hint = Проверьте адрес платформы и то, что она поддерживает регистрацию LTI Advantage, затем снова начните регистрацию на платформе.
error-roster-failed = Не удалось получить список курса с платформы: { $reason }.
error-roster-failed-hint = Проверьте, что инструменту разрешено использовать службу Names and Role Provisioning платформы, и попробуйте снова.
error-not-found = По этому адресу нет страницы.
error-not-found-hint = Проверьте ссылку или откройте cowork из своего курса.
error-rate-logins = С этой платформы одновременно начинается слишком много входов; попробуйте снова через { $seconds } с.
error-rate-logins-hint = Через некоторое время снова откройте элемент со страницы курса. Если так бывает в начале каждого занятия, администратор может увеличить COWORK_LOGIN_RATE_PER_MINUTE.
error-rate-launches = С этой платформы одновременно приходит слишком много запусков; попробуйте снова через { $seconds } с.
error-rate-launches-hint = Через некоторое время снова откройте элемент со страницы курса. Если так бывает в начале каждого занятия, администратор может увеличить COWORK_LOGIN_RATE_PER_MINUTE.
error-rate-writes = Вы отправляете изменения быстрее, чем cowork их принимает; попробуйте снова через { $seconds } с.
error-rate-writes-hint = Подождите немного, прежде чем отправить следующее сообщение или изменение.
error-login-states-full = С этой платформы сейчас выполняется слишком много входов; попробуйте снова через { $seconds } с.
error-login-states-full-hint = Через некоторое время снова откройте элемент со страницы курса. Если ошибка повторяется, администратор может увеличить COWORK_LOGIN_STATES_MAX.
error-body-too-large = Тело запроса больше { $kib } КиБ — это наибольший объём, который cowork принимает в одном запросе.
error-body-too-large-hint = Отправьте текст короче или разделите его на несколько сообщений. Файлы загружаются через форму витрины, у которой свой предел.
error-socket-token = Живое соединение открыто без действительного токена соединения, либо его срок истёк, либо он выдан для другого пространства.
error-socket-token-hint = Обновите страницу: она запрашивает новый токен при каждом подключении.
error-storage-unavailable = cowork сейчас не может связаться со своей базой данных.
error-storage-unavailable-hint = Попробуйте ещё раз через минуту. Если ошибка повторяется, администратору нужно проверить базу данных.
error-internal = Внутри cowork что-то пошло не так.
error-internal-hint = Попробуйте ещё раз; если ошибка повторяется, сообщите администратору, в какое время она произошла.

## Что делать, если запуск или вход отклонён

error-hint-launch-form = Запрос пришёл не от платформы LTI 1.3 или не в ожидаемом виде. Снова запустите элемент со страницы курса.
error-hint-unknown-registration = Зарегистрируйте эту платформу в cowork (cowork platform add), указав издателя (issuer) и идентификатор клиента (client ID) из настроек инструмента в Moodle.
error-hint-target-link-uri-origin = URL инструмента в настройках платформы должен указывать на публичный адрес этого сервера cowork (COWORK_PUBLIC_URL).
error-hint-state-expired = Вход занял слишком много времени или был начат в другом месте. Снова откройте элемент со страницы курса.
error-hint-replayed = Этот запуск уже использован, а каждый запуск срабатывает только один раз. Снова откройте элемент со страницы курса.
error-hint-nonce = Запуск не относится к тому входу, с которого он начался. Снова откройте элемент со страницы курса; если ошибка повторяется, проверьте, что этой платформе отвечает только одна регистрация cowork.
error-hint-signature = id_token подписан не так, как требует LTI 1.3. Проверьте, что адрес набора открытых ключей платформы в cowork — это JWKS URL платформы.
error-hint-kid = Платформа подписала запуск ключом, которого нет в её JWKS. Проверьте JWKS URL, зарегистрированный в cowork, или подождите минуту, если платформа только что сменила ключи.
error-hint-jwks-unavailable = cowork не смог получить открытые ключи платформы. Проверьте, что JWKS URL доступен с сервера cowork.
error-hint-client = Издатель (issuer) или идентификатор клиента (client ID) в регистрации cowork не совпадает с данными платформы. Сравните их с настройками инструмента в Moodle.
error-hint-clock = Часы платформы и cowork расходятся, или запуск задержался. Проверьте время на обоих серверах (NTP).
error-hint-message-type = Платформа прислала сообщение, которое cowork не обрабатывает. Настройте инструмент как LTI 1.3 с сообщениями resource link и deep linking.
error-hint-deployment = Добавьте идентификатор развёртывания (deployment ID) из настроек инструмента в Moodle в регистрацию cowork (cowork platform add --deployment-id).
error-hint-incomplete-launch = Платформа прислала неполный запуск. Проверьте настройки LTI 1.3 этого инструмента на платформе.
error-hint-launch-origin = Запуск отправлен страницей, которая не принадлежит платформе. Откройте задание со страницы курса; если ошибка повторится, проверьте, что издатель (issuer) платформы в cowork совпадает с адресом сайта.
error-hint-login-not-bound = Откройте задание в новом окне со страницы курса. Если ошибка повторяется, администратор платформы может разрешить сайту сообщать свой источник (в Moodle: Администрирование > Безопасность > Безопасность HTTP > Политика Referrer, не «no-referrer»).

## Почему отклонён запуск

error-launch-form-oversized = id_token или state в форме запуска слишком длинные или содержат символ NUL
error-launch-form-no-id-token = в форме запуска нет id_token
error-launch-form-no-state = в форме запуска нет state
error-launch-state-replayed = этот state уже использован другим запуском
error-launch-state-expired = срок действия state для входа истёк
error-launch-state-unknown = этот state выдан не этим инструментом
error-launch-foreign-origin = запуск отправлен со страницы { $origin }, а страницы платформы находятся по адресу { $expected }
error-launch-not-bound = запуск пришёл со страницы без источника (Origin), и браузер не вернул cookie входа, выдавшего этот state
error-launch-registration-removed = регистрацию платформы удалили во время входа
error-launch-nonce-replayed = nonce из id_token уже использован более ранним запуском
error-launch-state-mismatch = id_token относится не к тому входу, которому принадлежит этот state
error-launch-nonce-not-issued = этот инструмент никогда не выдавал nonce из id_token
error-launch-token-not-jws = id_token не является компактным JWS (из трёх частей через точку)
error-launch-header-not-base64url = заголовок id_token не закодирован в base64url
error-launch-header-not-json = заголовок id_token не является объектом JSON
error-launch-alg-unsupported = id_token подписан алгоритмом { $alg }, а LTI 1.3 требует RS256
error-launch-alg-missing = в заголовке id_token нет alg
error-launch-key-in-header = заголовок id_token содержит ключ ({ $parameter }), а ключи берутся только по JWKS URL платформы
error-launch-kid-missing = в заголовке id_token нет kid, поэтому нельзя выбрать ключ платформы
error-launch-kid-unknown = в JWKS платформы по адресу { $url } нет ключа с kid { $kid }
error-launch-jwks-unavailable = не удалось получить JWKS платформы по адресу { $url }: { $reason }
error-launch-signature = подпись id_token недействительна: { $reason }
error-launch-claim-nul = одно из утверждений (claims) содержит символ NUL, который cowork не может сохранить
error-launch-issuer = iss равен { $issuer }, а издатель в регистрации — { $expected }
error-launch-nonce = nonce в id_token не совпадает с выданным вместе с этим state
error-launch-version = версия LTI — { $version }, а cowork поддерживает 1.3.0
error-launch-message-type = тип сообщения { $message_type } не поддерживается; cowork принимает { $supported }
error-launch-deployment = deployment_id { $deployment_id } не зарегистрирован для этой платформы
error-launch-target-link-uri = target_link_uri { $target_link_uri } отличается от указанного при входе { $expected }
error-launch-roles-not-strings = утверждение roles не является списком строк
error-launch-roles-missing = нет утверждения roles
error-launch-resource-link = запуск resource link должен содержать resource_link.id
error-launch-deep-linking-settings = запрос deep linking должен содержать deep_linking_settings.deep_link_return_url
error-launch-subject-length = sub должен содержать от 1 до 255 символов
error-launch-aud-not-string = в aud есть значение, которое не является строкой
error-launch-aud-missing = aud отсутствует или не является ни строкой, ни списком
error-launch-aud = aud { $audiences } не содержит client_id этого инструмента { $client_id }
error-launch-azp = azp { $azp } не совпадает с client_id этого инструмента { $client_id }
error-launch-azp-missing = в aud указано несколько клиентов, но нет azp
error-launch-expired = срок действия id_token истёк { $seconds ->
    [one] { $seconds } секунду
    [few] { $seconds } секунды
   *[many] { $seconds } секунд
} назад
error-launch-issued-in-future = iat опережает текущее время на { $seconds ->
    [one] { $seconds } секунду
    [few] { $seconds } секунды
   *[many] { $seconds } секунд
}; проверьте часы платформы
error-launch-claim-out-of-range = значение { $name } вне допустимого диапазона
error-launch-claim-not-seconds = { $name } должно быть числом секунд, получено: { $found }
error-launch-claim-missing = нет { $name }
error-launch-claim-not-string = { $name } должно быть строкой, получено: { $found }
error-launch-claim-malformed = утверждение { $name } имеет неверный формат: { $reason }

## Виды значений JSON в проверках запуска

error-json-null = null
error-json-boolean = логическое значение
error-json-number = число
error-json-string = строка
error-json-list = список
error-json-object = объект

## Почему отклонён вход

error-login-deployment = deployment_id { $deployment_id } не зарегистрирован для client_id { $client_id }
error-login-parameter-too-long = параметр { $name } в запросе входа длиннее { $max ->
    [one] { $max } байта
   *[other] { $max } байт
}
error-login-parameter-nul = параметр { $name } в запросе входа содержит символ NUL
error-login-parameter-missing = в запросе входа нет параметра { $name }
error-login-target-origin = target_link_uri { $target_link_uri } не относится к источнику (origin) этого инструмента { $origin }
error-login-unknown-client = нет зарегистрированной платформы с издателем { $issuer } и client_id { $client_id }
error-login-unknown-issuer = нет зарегистрированной платформы с издателем { $issuer }
error-login-ambiguous-issuer = у издателя { $issuer } несколько регистраций, а в запросе входа не указан client_id
error-login-auth-url = зарегистрированный адрес авторизации { $auth_url } недействителен: { $reason }

## Общие проверки запросов

error-json-body = тело запроса не соответствует ожидаемому JSON: { $reason }
error-teachers-only = это могут делать только преподаватели курса
error-muted = преподаватель пока ограничил вас в этом пространстве; попробуйте позже
error-field-one-line = поле { $field } должно быть одной строкой; уберите переносы строк
error-field-length = поле { $field } должно содержать от { $min } до { $max } { $max ->
    [one] символа
   *[other] символов
}, получено: { $length }
error-field-too-long = в поле { $field } { $length ->
    [one] { $length } символ
    [few] { $length } символа
   *[many] { $length } символов
}, а допустимо не больше { $max }
error-field-longer-than = поле { $field } длиннее { $max ->
    [one] { $max } символа
   *[other] { $max } символов
}
error-field-nul = поле { $field } содержит символ NUL

## Взаимопомощь

error-help-anonymous-ask = при анонимном запуске нельзя просить о помощи
error-help-anonymous-offer = при анонимном запуске нельзя предлагать помощь
error-help-anonymous-post = при анонимном запуске нельзя писать сообщения
error-help-anonymous-resolve = при анонимном запуске нельзя отмечать запросы решёнными
error-help-anonymous-thank = при анонимном запуске нельзя никого благодарить
error-help-anonymous-delete = при анонимном запуске нельзя удалять запросы
error-help-own-request = нельзя предложить помощь по собственному запросу
error-help-resolve-not-asker = отметить запрос решённым может только его автор
error-help-helper-not-candidate = участник с helper_id { $helper_id } не предлагал помощь и не писал в этом запросе; укажите одного из тех, кто это делал, или не указывайте helper_id
error-help-thanks-need-helper = для благодарности нужен помощник: укажите также helper_id
error-help-thank-not-asker = поблагодарить помощника может только автор запроса
error-help-no-helper = в этом запросе не указан помощник, которого можно поблагодарить; сначала отметьте запрос решённым и укажите помощника
error-help-already-thanked = вы уже поблагодарили помощника по этому запросу
error-help-delete-not-allowed = удалить запрос может только его автор или преподаватель
error-help-not-open = этот запрос уже решён или закрыт, поэтому в нём больше нельзя предлагать помощь, писать и что-либо менять
error-help-tag-too-long = в метке { $tag } { $length ->
    [one] { $length } символ
    [few] { $length } символа
   *[many] { $length } символов
}, а в одной метке допустимо не больше { $max }
error-help-tag-character = метка { $tag } содержит { $character }; используйте только буквы, цифры и символы - + . _ # и разделяйте метки запятыми
error-help-too-many-tags = у запроса может быть не больше { $max } { $max ->
    [one] метки
   *[other] меток
}, получено: { $count }

## Комнаты и настройки пространства

error-rooms-anonymous-create = при анонимном запуске нельзя создавать комнаты
error-rooms-teachers-create = преподаватель разрешил создавать комнаты здесь только преподавателям
error-rooms-default-archive = открытое пространство и тихую зону нельзя отправить в архив
error-rooms-anonymous-join = при анонимном запуске нельзя войти в команду
error-rooms-members-team-only = участники есть только у командных столов
error-rooms-edit-window = edit_window_secs { $seconds } вне диапазона 0..=86400 секунд
error-rooms-retention-days = retention_days { $days } вне диапазона 0..={ $max } дней; 0 снимает собственный срок пространства
error-privacy-confirm = confirm должно быть true: удаление нельзя отменить
error-privacy-erase-teacher = данные преподавателей и администраторов, включая ваши, может удалить только администратор сервера командой cowork privacy erase
error-rooms-mute-minutes = minutes { $minutes } вне диапазона 0..={ $max }
error-rooms-kind = комнату вида { $kind } создать нельзя; используйте "team" или "discussion"
error-rooms-positions-discussion-only = позиции есть только у дискуссий
error-rooms-positions-count = в дискуссии должно быть от 2 до { $max } { $max ->
    [one] позиции
   *[other] позиций
}, получено: { $count }
error-rooms-position-repeated = позиция { $position } повторяется или содержит перенос строки

## События

error-events-nul = одно из полей содержит символ NUL
error-events-kind = вид { $kind } не входит в список { $kinds }
error-events-duration = duration_minutes { $minutes } вне диапазона 5..={ $max }
error-events-time-zone = time_zone { $time_zone } не является названием часового пояса IANA, например Europe/Moscow
error-events-date = дата { $date } записана не в формате ГГГГ-ММ-ДД
error-events-time = время { $time } записано не в формате ЧЧ:ММ
error-events-clock-change = времени { $date } { $time } в поясе { $time_zone } из-за перевода часов нет или оно неоднозначно; выберите другое время
error-events-teachers-only = планировать события могут только преподаватели курса
error-events-anonymous-rsvp = при анонимном запуске нельзя отвечать на приглашения к событиям
error-events-response = ответ { $response } не входит в список { $responses }
error-events-over = событие отменено или уже прошло

## Сессии фокуса

error-focus-anonymous = при анонимном запуске можно видеть сессии фокуса, но нельзя начать свою
error-focus-minutes = minutes должно быть 25, 50 или 75, получено: { $minutes }
error-focus-already-running = у вас уже идёт сессия фокуса; отметьтесь или закончите её досрочно, прежде чем начинать новую
error-focus-not-owner = отметиться или закончить сессию фокуса досрочно может только тот, кто её начал
error-focus-finished-with = эта сессия фокуса уже завершена с итогом { $outcome }
error-focus-outcome = итог { $outcome } не входит в список: "met", "partly", "not_met"
error-focus-still-running = сессия продлится ещё { $seconds ->
    [one] { $seconds } секунду
    [few] { $seconds } секунды
   *[many] { $seconds } секунд
}; отметьтесь после её окончания или закончите её досрочно
error-focus-finished = эта сессия фокуса уже завершена
error-focus-ended = сессия уже закончилась; отметьтесь вместо досрочного завершения

## Партнёры

error-partners-description-length = поле description должно содержать не больше { $max } { $max ->
    [one] символа
   *[other] символов
}, получено: { $length }
error-partners-anonymous-interest = при анонимном запуске нельзя проявить интерес
error-partners-anonymous-withdraw = при анонимном запуске нельзя отозвать интерес
error-partners-teacher-interest = интерес проявляют только студенты, а преподаватели видят, кто заинтересовался
error-partners-closed = срок этой записи истёк { $deadline }, поэтому интерес к ней больше не принимается
error-partners-no-interest = вы не проявляли интерес к этой записи, поэтому отзывать нечего
error-partners-kind = вид { $kind } не входит в список: organisation, project, internship, mentor
error-partners-email = contact_email { $email } не является корректным адресом электронной почты; используйте вид name@example.org
error-partners-url-scheme = contact_url { $url } должен быть адресом http:// или https://, например https://example.org
error-partners-url = contact_url { $url } не является корректным URL ({ $reason }); укажите адрес вида https://example.org
error-partners-date = deadline { $date } не является корректной датой; используйте формат ГГГГ-ММ-ДД, например 2030-06-30
error-partners-year = в deadline { $date } указан год { $year }; используйте год от 2000 до 2100

## Витрина работ

error-showcase-anonymous = при анонимном запуске витрину можно смотреть, но нельзя в ней писать
error-showcase-comment-empty = комментарий пуст; сначала напишите что-нибудь
error-showcase-comment-too-long = в комментарии { $length ->
    [one] { $length } символ
    [few] { $length } символа
   *[many] { $length } символов
}, а допустимо не больше { $max }
error-showcase-reaction = эмодзи { $emoji } не входит в список реакций { $reactions }
error-showcase-score = { $field } должно быть целым числом от 1 до 5, получено: { $score }
error-showcase-own-feedback = автор не может оставлять отзыв на свою работу
error-showcase-feedback-empty = поля works и improve оба пусты; напишите, что получилось, что улучшить, или и то и другое
error-showcase-remove-not-allowed = убрать работу могут только её автор и преподаватели курса

## Загрузка работ на витрину

error-upload-not-multipart = { $reason }; отправьте форму как multipart/form-data
error-upload-link-and-file = в форме указаны и ссылка, и файл; оставьте что-то одно
error-upload-no-link-or-file = в форме нет ни ссылки, ни файла; укажите ссылку http или https или выберите файл
error-upload-too-many-parts = в форме больше { $max } { $max ->
    [one] части
   *[other] частей
}; отправляйте только поля lt, title, description, link и file
error-upload-unknown-field = неизвестное поле формы { $field }; отправляйте только поля lt, title, description, link и file
error-upload-unreadable = не удалось прочитать форму: { $reason }
error-upload-field-too-long = поле { $field } длиннее { $max ->
    [one] { $max } байта
   *[other] { $max } байт
}
error-upload-field-utf8 = поле { $field } не является текстом в кодировке UTF-8
error-upload-too-large = файл больше предельного размера загрузки ({ $limit }); выберите файл поменьше или опубликуйте ссылку на него
error-upload-link = ссылка { $link } не является корректным URL ({ $reason }); укажите полный адрес, например https://example.edu/work
error-upload-link-scheme = ссылка { $link } должна быть адресом http:// или https://
error-upload-file-unnamed = у файла нет имени; дайте ему имя с расширением, например report.pdf
error-upload-file-name-length = в имени файла { $length ->
    [one] { $length } символ
    [few] { $length } символа
   *[many] { $length } символов
}, а допустимо не больше { $max }, поэтому переименуйте файл
error-size-mib = { $mib } МиБ ({ $bytes ->
    [one] { $bytes } байт
    [few] { $bytes } байта
   *[many] { $bytes } байт
})
error-size-bytes = { $bytes ->
    [one] { $bytes } байт
    [few] { $bytes } байта
   *[many] { $bytes } байт
}

## Типы файлов на витрине

error-file-no-extension = у имени файла { $name } нет расширения; принимаются типы { $accepted }
error-file-type = файлы типа .{ $extension } не принимаются; принимаются типы { $accepted }
error-file-empty = файл { $name } пуст
error-file-content = у файла { $name } расширение .{ $extension }, но по содержимому это { $content }, а не { $expected }; загрузите файл в его настоящем формате с подходящим расширением
error-content-pdf = документ PDF
error-content-png = изображение PNG
error-content-jpeg = изображение JPEG
error-content-gif = изображение GIF
error-content-webp = изображение WebP
error-content-zip = архив ZIP
error-content-docx = документ Word (.docx)
error-content-xlsx = книга Excel (.xlsx)
error-content-pptx = презентация PowerPoint (.pptx)
error-content-odt = текстовый документ OpenDocument (.odt)
error-content-ods = таблица OpenDocument (.ods)
error-content-odp = презентация OpenDocument (.odp)
error-content-text = обычный текст
error-content-markup = разметка HTML, SVG или XML
error-content-unknown = данные неизвестного типа

## Оценки

error-grades-teachers-only = видеть и отправлять оценки могут только преподаватели курса
error-grades-sync-mode = sync_mode { $mode } не входит в список: auto, schedule, manual
error-grades-no-target = платформа не передала адрес службы оценок для этого пространства; включите для инструмента «IMS LTI Assignment and Grade Services» в Moodle и снова откройте элемент курса
error-grades-no-platform = регистрация платформы этого пространства удалена; зарегистрируйте платформу снова
error-grades-no-line-item = в запуске не было столбца журнала оценок (line item), а платформа не разрешает его создать; используйте в Moodle оцениваемый элемент курса
error-grades-line-item = не удалось создать столбец в журнале оценок: { $reason }
error-grades-points = баллы { $points } должны быть в диапазоне от -1000 до 1000
error-grades-reason = причина должна содержать от 1 до { $max } { $max ->
    [one] символа
   *[other] символов
}
error-grades-not-participant = пользователь { $user_id } не участник этого пространства

## Правило оценивания

error-rule-points = { $field } должно быть от 0 до 1000, получено: { $value }
error-rule-post-min-chars = post_min_chars должно быть от 0 до 10000, получено: { $value }
error-rule-weekly-target = weekly_target должно быть положительным числом не больше 10000, получено: { $value }
error-rule-weekly-cap = weekly_cap ({ $cap }) должно быть не меньше недельной цели ({ $target }) и не больше 100000
error-rule-whole-number = { $field } должно быть целым числом, получено: «{ $value }»
error-rule-number = { $field } должно быть числом, получено: «{ $value }»
error-rule-unreadable = не удалось прочитать правило оценивания: { $detail }
error-rule-score-maximum = score_maximum должно быть от 1 до 10000, получено: { $value }

## Список курса

error-roster-teachers-only = список курса могут видеть только преподаватели курса
error-roster-no-source = ни один запуск в это пространство не передал службу участников платформы; включите для инструмента службу Names and Role Provisioning на платформе и запустите его снова

## Динамическая регистрация

error-register-parameter-missing = в запросе регистрации нет { $name }; начните регистрацию на платформе (в Moodle: «Управление инструментами», вставьте ссылку cowork как URL инструмента и нажмите «Добавить LTI Advantage»)
error-register-configuration-url = openid_configuration { $url } не является URL с именем хоста
error-register-host-not-allowed = для регистрации нужна одноразовая ссылка-приглашение, а хоста платформы { $host } нет в registration_allowed_hosts
error-register-invite-used = эта ссылка-приглашение уже использована; создайте новую командой `cowork platform invite`
error-register-invite-expired = срок действия этой ссылки-приглашения истёк; создайте новую командой `cowork platform invite`
error-register-invite-unknown = эту ссылку-приглашение выдал не cowork; создайте новую командой `cowork platform invite`

## Чат

error-chat-anonymous = при анонимном запуске пространство можно читать, но нельзя в нём писать
error-chat-anonymous-presence = при анонимном запуске нет статуса присутствия
error-chat-muted = вы ограничены в этом пространстве до { $until } (время Unix)
error-chat-storage = cowork не может связаться со своей базой данных; попробуйте чуть позже
error-chat-no-open-room = в вашем пространстве нет открытой комнаты с таким id
error-chat-no-room = в вашем пространстве нет комнаты с таким id
error-chat-parent-elsewhere = сообщение, на которое вы отвечаете, находится не в этой комнате
error-chat-stance = { $stance } не является позицией этой дискуссии
error-chat-room-archived = комнату отправили в архив
error-chat-edit-not-author = изменить сообщение может только его автор
error-chat-edit-too-late = время на изменение этого сообщения истекло
error-chat-delete-not-allowed = удалить сообщение может только его автор или преподаватель
error-chat-delete-too-late = время на удаление этого сообщения истекло
error-chat-moderate-teachers-only = закреплять и скрывать сообщения могут только преподаватели
error-chat-reaction = { $emoji } не входит в список реакций { $reactions }
error-chat-message-deleted = сообщение удалено
error-chat-no-message = в вашем пространстве нет сообщения с таким id
error-chat-body-empty = сообщение пустое
error-chat-body-nul = сообщение содержит символ NUL
error-chat-body-too-long = в сообщении { $length ->
    [one] { $length } символ
    [few] { $length } символа
   *[many] { $length } символов
}, а допустимо не больше { $max }
error-chat-frame-json = сообщение не является корректным JSON для этого соединения: { $reason }
error-chat-status = { $status } не входит в список { $statuses }

## Deep Linking

error-dl-settings-not-object = deep_linking_settings не является объектом JSON
error-dl-return-url-scheme = deep_link_return_url { $url } не является адресом http или https
error-dl-teachers-only = добавлять элементы cowork может только преподаватель курса
error-dl-no-course = платформа не передала курс в этом запросе; добавьте cowork из курса
error-dl-nothing-chosen = выберите хотя бы один элемент для добавления в курс
error-dl-one-item = курс принимает только один элемент за раз; выберите один
error-dl-presentation = курс не может открыть элемент способом «{ $value }»; выберите один из предложенных
error-dl-unknown-choice = «{ $value }» — не то, что cowork может добавить
error-dl-room-not-in-course = выбранная комната не является открытой комнатой этого курса; обновите страницу и выберите снова
error-dl-space-not-in-course = выбранное пространство не относится к этому курсу; обновите страницу и выберите снова
error-dl-title-missing = у каждого выбранного элемента должно быть название; заполните поле названия
error-dl-title-length = название может содержать не более { $max } символов
error-dl-text-length = описание может содержать не более { $max } символов
error-dl-control-characters = { $field } содержит управляющие символы; удалите их
error-dl-unknown = эта страница не относится к текущему запросу на добавление элемента; начните заново с «Выбрать содержимое» в курсе
error-dl-used = этот выбор уже отправлен в курс; чтобы добавить ещё, начните заново с «Выбрать содержимое»
error-dl-expired = срок действия страницы (один час) истёк; начните заново с «Выбрать содержимое» в курсе
error-dl-field-title = название
error-dl-field-description = описание

# Анкеты
error-questionnaire-teachers-only = управлять анкетами и видеть их результаты могут только преподаватели этого пространства
error-questionnaire-item-kind = у вопроса { $position } тип { $kind }; используйте likert5, likert7, satisfaction, nps, single, multiple или text
error-questionnaire-options-unexpected = у вопроса { $position } есть варианты, но варианты бывают только у вопросов с выбором; уберите их
error-questionnaire-options-count = у вопроса { $position } вариантов: { $count }; вопросу с выбором нужно от 2 до { $max }
error-questionnaire-scale-kind = вопрос { $position } относится к шкале, но шкалу образуют только вопросы likert5, likert7 и satisfaction
error-questionnaire-wave = wave должна быть "pre", "post" или пустой, получено { $wave }
error-questionnaire-pre = pre_id { $pre_id } должен указывать на анкету "pre" этого пространства, и ссылаться на неё может только анкета "post"
error-questionnaire-pair-anonymity = анкета "post" и её анкета "pre" должны быть обе анонимными или обе именными; задайте "anonymous" одинаково в обеих
error-questionnaire-window = closes_at должно быть позже opens_at
error-questionnaire-item-count = в анкете должно быть от 1 до { $max } вопросов, получено { $count }
error-questionnaire-template = шаблон { $template } неизвестен; используйте один из: { $templates }
error-questionnaire-answered = на анкету уже ответили, поэтому вопросы и анонимность менять нельзя; можно менять только название, описание и сроки
error-questionnaire-status = status должен быть "open" или "closed", получено { $status }
error-questionnaire-value = вопрос { $position } принимает значения от { $min } до { $max }, получено { $value }
error-questionnaire-missing-value = на вопрос { $position } нет ответа; передайте "value" ("values" для вопроса с несколькими вариантами) или пропустите вопрос
error-questionnaire-anonymous-session = при анонимном входе нельзя отвечать на анкеты, потому что платформа курса не сообщила, кто вы
error-questionnaire-not-open = эта анкета сейчас не принимает ответы: она не открыта или её срок истёк
error-questionnaire-unknown-item = вопрос { $item_id } не относится к этой анкете
error-questionnaire-duplicate-item = на вопрос { $item_id } два ответа; передайте один ответ на вопрос
error-questionnaire-empty-response = в ответе нет ни одного ответа на вопрос; ответьте хотя бы на один
error-questionnaire-undecided-flag = count_undecided должен быть "true" или "false", получено { $value }
error-questionnaire-weights = weights { $weights } должны быть пятью числами от -1 до 1 через запятую, от «полностью не удовлетворён» до «полностью удовлетворён»
error-export-teachers-only = выгружать данные пространства могут только его преподаватели
error-export-window-value = { $field } { $value } не является ни датой, ни моментом времени; укажите дату вида 2026-03-01 или секунды Unix
error-export-window-order = окно пусто: from ({ $from }) должно быть раньше until ({ $until }) в секундах Unix
error-export-window-long = окно длиннее { $weeks } недель; выберите более поздний from или более ранний until
error-dashboard-date = { $field } { $value } — не дата; укажите её в виде ГГГГ-ММ-ДД, например 2026-09-01
error-dashboard-window = период с { $from } по { $until } пуст; выберите дату окончания не раньше даты начала
error-dashboard-window-long = период длиннее { $weeks } недель; выберите период короче
error-dashboard-no-user = платформа курса не передала, кто вы, поэтому cowork не может показать вашу активность
