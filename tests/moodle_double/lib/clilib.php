<?php
// Moodle's CLI helpers as register_cowork.php uses them.

namespace core\session {
    class manager {
        public static function set_user($user) {
            global $USER;
            $USER = $user;
        }
    }
}

namespace {
    /**
     * Reads --name=value and --flag options, and short options through $shortmapping, as
     * Moodle's cli_get_params does: unknown options are returned in the second array.
     */
    function cli_get_params(array $longoptions, array $shortmapping = null) {
        global $argv;
        $shortmapping = (array) $shortmapping;
        $options = $longoptions;
        $unrecognised = [];
        foreach (array_slice($argv, 1) as $argument) {
            if (strpos($argument, '--') === 0) {
                $parts = explode('=', substr($argument, 2), 2);
                $key = $parts[0];
                $value = count($parts) === 2 ? $parts[1] : true;
            } else if (strpos($argument, '-') === 0) {
                $key = substr($argument, 1);
                $value = true;
                if (isset($shortmapping[$key])) {
                    $key = $shortmapping[$key];
                }
            } else {
                $unrecognised[] = $argument;
                continue;
            }
            if (array_key_exists($key, $longoptions)) {
                $options[$key] = $value;
            } else {
                $unrecognised[] = $argument;
            }
        }
        return [$options, $unrecognised];
    }

    function cli_error($text, $errorcode = 1) {
        fwrite(STDERR, $text);
        fwrite(STDERR, "\n");
        exit($errorcode);
    }
}
