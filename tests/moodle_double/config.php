<?php
// A stand-in for a Moodle 4.2 site's config.php, for testing moodle-setup/register_cowork.php
// without a Moodle installation. It keeps the tables the script touches (lti_types and
// lti_types_config) in a JSON file named by the COWORK_MOODLE_DOUBLE_DB environment variable.

unset($CFG);
global $CFG, $DB, $USER, $SITE;
$CFG = new stdClass();
$CFG->wwwroot = getenv('COWORK_MOODLE_DOUBLE_WWWROOT') ?: 'https://moodle.example.edu';
$CFG->dirroot = __DIR__;
$CFG->libdir = __DIR__ . '/lib';

define('MOODLE_INTERNAL', true);
define('SITEID', 1);
define('MUST_EXIST', 2);

require_once($CFG->libdir . '/dml.php');

$DB = new moodle_double_database(getenv('COWORK_MOODLE_DOUBLE_DB'));
$USER = (object) ['id' => 0];
$SITE = (object) ['id' => SITEID];
