<?php
// The constants and the lti_add_type of Moodle 4.2's mod/lti/locallib.php, with the same
// values and the same way of storing a tool. The type row takes the name, URLs, version
// and a new client ID. The configuration rows keep every `lti_` key without its prefix
// and every `ltiservice_` key whole.

define('LTI_LAUNCH_CONTAINER_DEFAULT', 1);
define('LTI_LAUNCH_CONTAINER_EMBED', 2);
define('LTI_LAUNCH_CONTAINER_EMBED_NO_BLOCKS', 3);
define('LTI_LAUNCH_CONTAINER_WINDOW', 4);
define('LTI_TOOL_STATE_CONFIGURED', 1);
define('LTI_TOOL_STATE_PENDING', 2);
define('LTI_SETTING_NEVER', 0);
define('LTI_SETTING_ALWAYS', 1);
define('LTI_SETTING_DELEGATE', 2);
define('LTI_COURSEVISIBLE_ACTIVITYCHOOSER', 2);
define('LTI_VERSION_1P3', '1.3.0');
define('LTI_JWK_KEYSET', 'JWK_KEYSET');
define('LTI_DEFAULT_ORGID_SITEID', 'SITEID');

function lti_prepare_type_for_save($type, $config) {
    if (isset($config->lti_toolurl)) {
        $type->baseurl = $config->lti_toolurl;
        $type->tooldomain = parse_url($config->lti_toolurl, PHP_URL_HOST);
    }
    foreach (['description' => 'lti_description', 'name' => 'lti_typename',
            'ltiversion' => 'lti_ltiversion', 'coursevisible' => 'lti_coursevisible'] as $field => $key) {
        if (isset($config->$key)) {
            $type->$field = $config->$key;
        }
    }
    if (($type->ltiversion ?? '') === LTI_VERSION_1P3 && empty($type->clientid)) {
        $type->clientid = random_string(15);
    }
    $type->forcessl = !empty($config->lti_forcessl) ? $config->lti_forcessl : 0;
    $config->lti_forcessl = $type->forcessl;
    if (isset($config->lti_contentitem)) {
        $type->contentitem = !empty($config->lti_contentitem) ? $config->lti_contentitem : 0;
        $config->lti_contentitem = $type->contentitem;
    }
    $type->timemodified = time();
    foreach (['lti_typename', 'lti_toolurl', 'lti_description', 'lti_ltiversion', 'lti_clientid',
            'lti_icon', 'lti_secureicon'] as $key) {
        unset($config->$key);
    }
}

function lti_add_type($type, $config) {
    global $USER, $SITE, $DB;

    lti_prepare_type_for_save($type, $config);
    if (!isset($type->state)) {
        $type->state = LTI_TOOL_STATE_PENDING;
    }
    $type->timecreated = time();
    $type->createdby = $USER->id;
    if (!isset($type->course)) {
        $type->course = $SITE->id;
    }
    // The lti_types table has no contentitem or forcessl column.
    $row = clone $type;
    unset($row->contentitem, $row->forcessl);
    $config->lti_servicesalt = uniqid('', true);
    $id = $DB->insert_record('lti_types', $row);
    foreach ($config as $key => $value) {
        if (is_null($value)) {
            continue;
        }
        if (substr($key, 0, 4) === 'lti_') {
            $name = substr($key, 4);
        } else if (substr($key, 0, 11) === 'ltiservice_') {
            $name = $key;
        } else {
            continue;
        }
        $DB->insert_record('lti_types_config', (object) ['typeid' => $id, 'name' => $name, 'value' => $value]);
    }
    return $id;
}
