<?php
// Registers cowork as an LTI 1.3 external tool in an existing Moodle 4.1 or later,
// through Moodle's own API, and prints what `cowork platform add` needs.
//
// Run it as the web server user from anywhere, pointing --moodle at the Moodle directory:
//
//   sudo -u www-data php register_cowork.php --moodle=/var/www/moodle \
//       --url=https://cowork.example.edu
//
// It adds a site-level tool with the same values as the manual steps in README.md and
// activates it. It does not install or upgrade Moodle.

define('CLI_SCRIPT', true);

// config.php must be loaded before clilib, so --moodle is read by hand.
$moodleroot = getcwd();
foreach (array_slice($argv, 1) as $argument) {
    if (strpos($argument, '--moodle=') === 0) {
        $moodleroot = substr($argument, strlen('--moodle='));
    }
}
if (!is_readable($moodleroot . '/config.php')) {
    fwrite(STDERR, "error: no readable config.php in {$moodleroot}; pass the Moodle directory " .
        "with --moodle=/path/to/moodle\n");
    exit(2);
}
require($moodleroot . '/config.php');
require_once($CFG->libdir . '/clilib.php');
require_once($CFG->dirroot . '/mod/lti/locallib.php');

list($options, $unrecognised) = cli_get_params(
    [
        'moodle' => '',
        'url' => '',
        'name' => 'cowork',
        'container' => 'embed',
        'allow-duplicate' => false,
        'help' => false,
    ],
    ['h' => 'help']
);

$usage = <<<EOT
Registers cowork as an LTI 1.3 external tool of this Moodle site.

Options:
  --moodle=DIR        Moodle directory containing config.php (default: current directory)
  --url=URL           cowork's public URL, e.g. https://cowork.example.edu (required)
  --name=NAME         Tool name shown to teachers (default: cowork)
  --container=MODE    embed (embed, without blocks; default) or window (new window)
  --allow-duplicate   Add the tool even if one with the same launch URL exists
  -h, --help          Print this help

EOT;

if ($options['help']) {
    echo $usage;
    exit(0);
}
if ($unrecognised) {
    cli_error('unknown option ' . implode(', ', $unrecognised) . "\n\n" . $usage, 2);
}

$base = rtrim(trim($options['url']), '/');
$parsed = parse_url($base);
if ($base === '' || !$parsed || !in_array($parsed['scheme'] ?? '', ['https', 'http'], true)
        || empty($parsed['host']) || (isset($parsed['path']) && $parsed['path'] !== '')) {
    cli_error("--url must be cowork's origin, such as https://cowork.example.edu, without a path\n\n" .
        $usage, 2);
}
$containers = ['embed' => LTI_LAUNCH_CONTAINER_EMBED_NO_BLOCKS, 'window' => LTI_LAUNCH_CONTAINER_WINDOW];
if (!isset($containers[$options['container']])) {
    cli_error('--container must be embed or window', 2);
}

$launchurl = $base . '/lti/launch';
$existing = $DB->get_records('lti_types', ['baseurl' => $launchurl]);
if ($existing && !$options['allow-duplicate']) {
    $ids = implode(', ', array_keys($existing));
    cli_error("a tool with launch URL {$launchurl} already exists (type id {$ids}); " .
        "see Site administration > Plugins > Activity modules > External tool > Manage tools, " .
        "or pass --allow-duplicate", 1);
}

// The admin account owns the tool, as when an administrator adds it in the browser.
\core\session\manager::set_user(get_admin());

$type = new stdClass();
$type->state = LTI_TOOL_STATE_CONFIGURED;
$type->course = SITEID;

$config = new stdClass();
$config->lti_typename = $options['name'];
$config->lti_toolurl = $launchurl;
$config->lti_description = 'Coworking space for the course: rooms, chat, help desk, showcase, ' .
    'focus sessions and events.';
$config->lti_ltiversion = LTI_VERSION_1P3;
$config->lti_keytype = LTI_JWK_KEYSET;
$config->lti_publickeyset = $base . '/.well-known/jwks.json';
$config->lti_initiatelogin = $base . '/lti/login';
$config->lti_redirectionuris = $launchurl;
$config->lti_customparameters = '';
$config->lti_coursevisible = LTI_COURSEVISIBLE_ACTIVITYCHOOSER;
$config->lti_launchcontainer = $containers[$options['container']];
$config->lti_contentitem = 1;
$config->lti_toolurl_ContentItemSelectionRequest = $launchurl;
$config->lti_sendname = LTI_SETTING_ALWAYS;
$config->lti_sendemailaddr = LTI_SETTING_NEVER;
$config->lti_acceptgrades = LTI_SETTING_DELEGATE;
$config->lti_forcessl = 0;
$config->lti_organizationid_default = LTI_DEFAULT_ORGID_SITEID;
$config->ltiservice_gradesynchronization = 2;
$config->ltiservice_memberships = 1;
$config->ltiservice_toolsettings = 0;

$typeid = lti_add_type($type, $config);
if (!$typeid) {
    cli_error('Moodle did not store the tool', 1);
}
$stored = $DB->get_record('lti_types', ['id' => $typeid], '*', MUST_EXIST);

// Moodle uses the tool type id as the deployment ID of a site tool.
$issuer = $CFG->wwwroot;
$command = sprintf(
    "cowork platform add \\\n  --issuer %s \\\n  --client-id %s \\\n  --auth-url %s \\\n" .
    "  --token-url %s \\\n  --jwks-url %s \\\n  --deployment-id %s",
    escapeshellarg($issuer),
    escapeshellarg($stored->clientid),
    escapeshellarg($issuer . '/mod/lti/auth.php'),
    escapeshellarg($issuer . '/mod/lti/token.php'),
    escapeshellarg($issuer . '/mod/lti/certs.php'),
    escapeshellarg((string)$typeid)
);

echo "Registered {$options['name']} as LTI 1.3 tool type {$typeid}.\n";
echo "client_id={$stored->clientid}\n";
echo "deployment_id={$typeid}\n\n";
echo "Run this where cowork runs:\n\n{$command}\n";
exit(0);
