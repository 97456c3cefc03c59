<?php
// The few database calls register_cowork.php makes, over a JSON file, with Moodle's
// semantics: records keyed by id, get_record with MUST_EXIST failing when none matches.

class moodle_double_database {
    private $path;

    public function __construct($path) {
        $this->path = $path;
        if (!file_exists($path)) {
            $this->save(['lti_types' => [], 'lti_types_config' => []]);
        }
    }

    private function load() {
        return json_decode(file_get_contents($this->path), true);
    }

    private function save($tables) {
        file_put_contents($this->path, json_encode($tables, JSON_PRETTY_PRINT));
    }

    public function get_records($table, array $conditions = []) {
        $found = [];
        foreach ($this->load()[$table] as $row) {
            if (array_intersect_assoc($conditions, $row) == $conditions) {
                $found[$row['id']] = (object) $row;
            }
        }
        return $found;
    }

    public function get_record($table, array $conditions, $fields = '*', $strictness = 0) {
        $found = $this->get_records($table, $conditions);
        if (!$found) {
            if ($strictness === MUST_EXIST) {
                throw new Exception("no {$table} record matches " . json_encode($conditions));
            }
            return false;
        }
        return reset($found);
    }

    public function insert_record($table, $record) {
        $tables = $this->load();
        $id = count($tables[$table]) + 1;
        $row = (array) $record;
        $row['id'] = (string) $id;
        foreach ($row as $name => $value) {
            // Moodle returns every column as a string.
            $row[$name] = $value === null ? null : (string) $value;
        }
        $tables[$table][] = $row;
        $this->save($tables);
        return $id;
    }
}

function get_admin() {
    return (object) ['id' => 2, 'username' => 'admin'];
}

function random_string($length = 15) {
    $characters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
    $text = '';
    for ($i = 0; $i < $length; $i++) {
        $text .= $characters[random_int(0, strlen($characters) - 1)];
    }
    return $text;
}
