//! Settings in layers: built-in defaults, then an optional TOML file, then environment
//! variables and command-line flags (clap reads both; a flag beats its variable).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use clap::Args;
use serde::{Deserialize, Serialize};
use url::Url;

use crate::store::NewPlatform;

/// Largest allowed `upload_max_bytes` (1 GiB).
const MAX_UPLOAD_BYTES: u64 = 1024 * 1024 * 1024;
/// Maximum retention period, in days (100 years).
pub const MAX_RETENTION_DAYS: i64 = 36_500;

/// The effective configuration of one cowork process.
#[derive(Debug, Clone, Serialize)]
pub struct Config {
    /// Address the HTTP listener binds.
    pub bind: SocketAddr,
    /// Address of the listener that serves `/metrics`; `None` serves no metrics.
    pub metrics_bind: Option<SocketAddr>,
    /// Origin that browsers and platforms use to reach cowork, without a trailing slash.
    pub public_url: Url,
    pub database_url: String,
    /// Lifetime of a launch session, in seconds.
    pub session_ttl_secs: i64,
    /// Lifetime of an OIDC login `state` and `nonce`, in seconds.
    pub login_state_ttl_secs: i64,
    /// Clock skew tolerated on `exp` and `iat`, in seconds.
    pub clock_leeway_secs: i64,
    /// Minimum time between two fetches of one platform JWKS for an unknown `kid`, in seconds.
    pub jwks_refetch_cooldown_secs: u64,
    /// How long a rotated-out tool key stays published in the JWKS, in seconds. A key made
    /// by scheduled rotation is also published this long before it starts signing.
    pub key_grace_secs: i64,
    /// Age in days at which the signing key is replaced; 0 rotates only on request.
    pub key_rotation_days: i64,
    /// Age after which a platform's cached JWKS is fetched again at the next launch, in
    /// seconds. A key the platform removed stops working after at most this long.
    pub platform_jwks_max_age_secs: u64,
    /// Key that encrypts the tool's private keys in the database (32 bytes, base64), read
    /// from `COWORK_KEY_ENCRYPTION_KEY` only, so it never appears in a file or a process list.
    #[serde(skip)]
    pub key_encryption_key: Option<String>,
    /// The encryption key used before the current one, from
    /// `COWORK_KEY_ENCRYPTION_KEY_PREVIOUS`; keys sealed with it are sealed again at start.
    #[serde(skip)]
    pub key_encryption_key_previous: Option<String>,
    /// Members seen within this many seconds are listed on the space page.
    pub recent_presence_secs: i64,
    /// Largest file accepted in the showcase, in bytes.
    pub upload_max_bytes: u64,
    /// Activity rows kept in memory for dashboards and exports, over all spaces; 0 reads
    /// every request's rows from the database.
    pub analytics_cache_rows: usize,
    /// Directory for showcase files; `None` keeps them in the database.
    pub upload_dir: Option<PathBuf>,
    /// Days after which a space's content is cleared, for spaces whose teacher set no
    /// period; `None` keeps content until a teacher sets a period.
    pub retention_days: Option<i64>,
    /// First delay before resending a grade the platform did not take, in seconds; it doubles with each attempt.
    pub grade_retry_base_secs: i64,
    /// Maximum delay between two attempts to send a grade, in seconds.
    pub grade_retry_max_delay_secs: i64,
    /// Seconds after which a grade the platform keeps refusing with transient errors becomes a dead letter.
    pub grade_give_up_secs: i64,
    /// Quiet time after the last activity before automatic grade sync, in seconds.
    pub grade_auto_delay_secs: i64,
    /// How long a worker owns a claimed grade before another instance may send it, in seconds; keep it above the 20-second HTTP timeout.
    pub grade_claim_lease_secs: i64,
    /// Whether requests to platform-supplied URLs may reach private, loopback and
    /// link-local addresses.
    pub allow_private_addresses: bool,
    /// Hosts whose platforms may register cowork dynamically without an invitation.
    pub registration_allowed_hosts: Vec<String>,
    /// Age after which a course roster is read again from the platform, in seconds.
    pub roster_refresh_secs: u64,
    /// Login initiations, and separately launches, accepted per platform registration
    /// per minute on each instance, with a burst of the same size; 0 turns the limit off.
    pub login_rate_per_minute: u32,
    /// Writes (chat messages, uploads, changes) accepted per person per minute on each
    /// instance, with a burst of the same size; 0 turns the limit off.
    pub write_rate_per_minute: u32,
    /// Maximum login states stored per platform registration.
    pub login_states_max: i64,
    /// Time a client has to send a request's headers, and the longest an idle kept-alive
    /// connection stays open, in seconds.
    pub header_read_timeout_secs: u64,
    /// Platform registrations applied at start, from the `[[platforms]]` tables of the file.
    #[serde(skip)]
    pub platforms: Vec<NewPlatform>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 3000)),
            metrics_bind: None,
            public_url: Url::parse("http://127.0.0.1:3000").expect("valid default URL"),
            database_url: "sqlite://cowork.db".to_string(),
            session_ttl_secs: 8 * 3600,
            login_state_ttl_secs: 300,
            clock_leeway_secs: 30,
            jwks_refetch_cooldown_secs: 60,
            key_grace_secs: 2 * 24 * 3600,
            key_rotation_days: 90,
            platform_jwks_max_age_secs: 3600,
            key_encryption_key: None,
            key_encryption_key_previous: None,
            recent_presence_secs: 14 * 24 * 3600,
            upload_max_bytes: 10 * 1024 * 1024,
            analytics_cache_rows: crate::analytics::activity::DEFAULT_MAX_ROWS,
            upload_dir: None,
            retention_days: None,
            grade_retry_base_secs: 10,
            grade_retry_max_delay_secs: 3600,
            grade_give_up_secs: 2 * 24 * 3600,
            grade_auto_delay_secs: 120,
            grade_claim_lease_secs: 120,
            allow_private_addresses: false,
            registration_allowed_hosts: Vec::new(),
            roster_refresh_secs: 6 * 3600,
            // One registration usually serves a whole Moodle site, so several lectures of
            // 2,000 students may start in the same minute; 12,000 a minute admits that.
            login_rate_per_minute: 12_000,
            // A person typing fast sends a message every two or three seconds.
            write_rate_per_minute: 120,
            // Five minutes (the default state lifetime) at the default login rate would be
            // 60,000; real classes finish their logins within seconds and stay far below.
            login_states_max: 50_000,
            // Long enough for a phone on a weak network, short enough that a client sending
            // headers a byte at a time cannot hold thousands of connections for long.
            header_read_timeout_secs: 30,
            platforms: Vec::new(),
        }
    }
}

/// Settings given as flags or environment variables. Each overrides the file and defaults.
#[derive(Debug, Clone, Default, Args)]
pub struct ConfigArgs {
    /// TOML file with settings; its values are overridden by variables and flags.
    #[arg(long, env = "COWORK_CONFIG", global = true)]
    pub config: Option<PathBuf>,
    /// Address to listen on, e.g. 127.0.0.1:3000.
    #[arg(long, env = "COWORK_BIND", global = true)]
    pub bind: Option<SocketAddr>,
    /// Address of a listener that serves Prometheus metrics at /metrics, e.g. 127.0.0.1:9100 (default: none).
    #[arg(long, env = "COWORK_METRICS_BIND", global = true)]
    pub metrics_bind: Option<SocketAddr>,
    /// Base URL that browsers and platforms use to reach cowork, e.g. https://cowork.example.edu.
    #[arg(long, env = "COWORK_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,
    /// sqlite://FILE (created if missing) or postgres://USER@HOST/DB.
    #[arg(long, env = "COWORK_DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    /// Lifetime of a launch session, in seconds.
    #[arg(long, env = "COWORK_SESSION_TTL_SECS", global = true)]
    pub session_ttl_secs: Option<i64>,
    /// Lifetime of an OIDC login state and nonce, in seconds.
    #[arg(long, env = "COWORK_LOGIN_STATE_TTL_SECS", global = true)]
    pub login_state_ttl_secs: Option<i64>,
    /// Clock skew tolerated on id_token exp and iat, in seconds.
    #[arg(long, env = "COWORK_CLOCK_LEEWAY_SECS", global = true)]
    pub clock_leeway_secs: Option<i64>,
    /// Minimum seconds between refetches of a platform JWKS for an unknown kid.
    #[arg(long, env = "COWORK_JWKS_REFETCH_COOLDOWN_SECS", global = true)]
    pub jwks_refetch_cooldown_secs: Option<u64>,
    /// Seconds a rotated-out tool key stays published.
    #[arg(long, env = "COWORK_KEY_GRACE_SECS", global = true)]
    pub key_grace_secs: Option<i64>,
    /// Age in days at which the signing key is replaced (default 90; 0 rotates only on request).
    #[arg(long, env = "COWORK_KEY_ROTATION_DAYS", global = true)]
    pub key_rotation_days: Option<i64>,
    /// Seconds after which a platform's cached JWKS is fetched again (default 3600).
    #[arg(long, env = "COWORK_PLATFORM_JWKS_MAX_AGE_SECS", global = true)]
    pub platform_jwks_max_age_secs: Option<u64>,
    /// Seconds within which a visit counts as recent on the space page.
    #[arg(long, env = "COWORK_RECENT_PRESENCE_SECS", global = true)]
    pub recent_presence_secs: Option<i64>,
    /// Largest file accepted in the showcase, in bytes (default 10485760, 10 MiB).
    #[arg(long, env = "COWORK_UPLOAD_MAX_BYTES", global = true)]
    pub upload_max_bytes: Option<u64>,
    /// Activity rows kept in memory for dashboards and exports, over all spaces (default
    /// 1000000, about 100 MB; 0 turns the cache off).
    #[arg(long, env = "COWORK_ANALYTICS_CACHE_ROWS", global = true)]
    pub analytics_cache_rows: Option<usize>,
    /// Directory for showcase files (created if missing); by default they are kept in the database.
    #[arg(long, env = "COWORK_UPLOAD_DIR", global = true)]
    pub upload_dir: Option<PathBuf>,
    /// Days after which a space's content is cleared when its teacher set no period
    /// (default: none, content is kept).
    #[arg(long, env = "COWORK_RETENTION_DAYS", global = true)]
    pub retention_days: Option<i64>,
    /// Seconds before the first resend of a grade; doubles per attempt (default 10).
    #[arg(long, env = "COWORK_GRADE_RETRY_BASE_SECS", global = true)]
    pub grade_retry_base_secs: Option<i64>,
    /// Maximum delay between two attempts to send a grade, in seconds (default 3600).
    #[arg(long, env = "COWORK_GRADE_RETRY_MAX_DELAY_SECS", global = true)]
    pub grade_retry_max_delay_secs: Option<i64>,
    /// Seconds of failed attempts after which a grade becomes a dead letter (default 172800).
    #[arg(long, env = "COWORK_GRADE_GIVE_UP_SECS", global = true)]
    pub grade_give_up_secs: Option<i64>,
    /// Seconds of quiet after activity before grades sync automatically (default 120).
    #[arg(long, env = "COWORK_GRADE_AUTO_DELAY_SECS", global = true)]
    pub grade_auto_delay_secs: Option<i64>,
    /// Seconds a claimed grade stays with one worker before another may take it (default 120).
    #[arg(long, env = "COWORK_GRADE_CLAIM_LEASE_SECS", global = true)]
    pub grade_claim_lease_secs: Option<i64>,
    /// Let requests to platform URLs reach private, loopback and link-local addresses (true or false).
    #[arg(long, env = "COWORK_ALLOW_PRIVATE_ADDRESSES", global = true)]
    pub allow_private_addresses: Option<bool>,
    /// Platform hosts that may register cowork dynamically without an invitation, comma-separated.
    #[arg(
        long,
        env = "COWORK_REGISTRATION_ALLOWED_HOSTS",
        global = true,
        value_delimiter = ','
    )]
    pub registration_allowed_hosts: Option<Vec<String>>,
    /// Seconds after which a course roster is read again from the platform (default 21600).
    #[arg(long, env = "COWORK_ROSTER_REFRESH_SECS", global = true)]
    pub roster_refresh_secs: Option<u64>,
    /// Login initiations, and separately launches, accepted per platform registration per minute on each instance (default 12000; 0 for no limit).
    #[arg(long, env = "COWORK_LOGIN_RATE_PER_MINUTE", global = true)]
    pub login_rate_per_minute: Option<u32>,
    /// Writes (chat messages, uploads, changes) accepted per person per minute on each instance (default 120; 0 for no limit).
    #[arg(long, env = "COWORK_WRITE_RATE_PER_MINUTE", global = true)]
    pub write_rate_per_minute: Option<u32>,
    /// Maximum login states stored per platform registration (default 50000).
    #[arg(long, env = "COWORK_LOGIN_STATES_MAX", global = true)]
    pub login_states_max: Option<i64>,
    /// Seconds a client has to send a request's headers; also closes idle kept-alive
    /// connections (default 30).
    #[arg(long, env = "COWORK_HEADER_READ_TIMEOUT_SECS", global = true)]
    pub header_read_timeout_secs: Option<u64>,
}

/// The TOML file's shape: every key optional, names as in [`Config`].
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    bind: Option<SocketAddr>,
    metrics_bind: Option<SocketAddr>,
    public_url: Option<String>,
    database_url: Option<String>,
    session_ttl_secs: Option<i64>,
    login_state_ttl_secs: Option<i64>,
    clock_leeway_secs: Option<i64>,
    jwks_refetch_cooldown_secs: Option<u64>,
    key_grace_secs: Option<i64>,
    key_rotation_days: Option<i64>,
    platform_jwks_max_age_secs: Option<u64>,
    recent_presence_secs: Option<i64>,
    upload_max_bytes: Option<u64>,
    analytics_cache_rows: Option<usize>,
    upload_dir: Option<PathBuf>,
    retention_days: Option<i64>,
    grade_retry_base_secs: Option<i64>,
    grade_retry_max_delay_secs: Option<i64>,
    grade_give_up_secs: Option<i64>,
    grade_auto_delay_secs: Option<i64>,
    grade_claim_lease_secs: Option<i64>,
    allow_private_addresses: Option<bool>,
    registration_allowed_hosts: Option<Vec<String>>,
    roster_refresh_secs: Option<u64>,
    login_rate_per_minute: Option<u32>,
    write_rate_per_minute: Option<u32>,
    login_states_max: Option<i64>,
    header_read_timeout_secs: Option<u64>,
    #[serde(default)]
    platforms: Vec<NewPlatform>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid config file {path}: {source}")]
    Parse {
        path: PathBuf,
        source: toml::de::Error,
    },
    #[error("invalid setting {name}: {message}")]
    Invalid { name: &'static str, message: String },
}

impl Config {
    /// Builds the effective configuration from defaults, the file named in `args`, and `args`.
    pub fn load(args: &ConfigArgs) -> Result<Self, ConfigError> {
        let file = match &args.config {
            Some(path) => read_file(path)?,
            None => FileConfig::default(),
        };
        let defaults = Config::default();
        let public_url = args
            .public_url
            .clone()
            .or(file.public_url)
            .map(|raw| parse_public_url(&raw))
            .transpose()?
            .unwrap_or(defaults.public_url);

        let config = Config {
            bind: args.bind.or(file.bind).unwrap_or(defaults.bind),
            metrics_bind: args.metrics_bind.or(file.metrics_bind),
            public_url,
            database_url: args
                .database_url
                .clone()
                .or(file.database_url)
                .unwrap_or(defaults.database_url),
            session_ttl_secs: args
                .session_ttl_secs
                .or(file.session_ttl_secs)
                .unwrap_or(defaults.session_ttl_secs),
            login_state_ttl_secs: args
                .login_state_ttl_secs
                .or(file.login_state_ttl_secs)
                .unwrap_or(defaults.login_state_ttl_secs),
            clock_leeway_secs: args
                .clock_leeway_secs
                .or(file.clock_leeway_secs)
                .unwrap_or(defaults.clock_leeway_secs),
            jwks_refetch_cooldown_secs: args
                .jwks_refetch_cooldown_secs
                .or(file.jwks_refetch_cooldown_secs)
                .unwrap_or(defaults.jwks_refetch_cooldown_secs),
            key_grace_secs: args
                .key_grace_secs
                .or(file.key_grace_secs)
                .unwrap_or(defaults.key_grace_secs),
            key_rotation_days: args
                .key_rotation_days
                .or(file.key_rotation_days)
                .unwrap_or(defaults.key_rotation_days),
            platform_jwks_max_age_secs: args
                .platform_jwks_max_age_secs
                .or(file.platform_jwks_max_age_secs)
                .unwrap_or(defaults.platform_jwks_max_age_secs),
            key_encryption_key: secret_from_env("COWORK_KEY_ENCRYPTION_KEY"),
            key_encryption_key_previous: secret_from_env("COWORK_KEY_ENCRYPTION_KEY_PREVIOUS"),
            recent_presence_secs: args
                .recent_presence_secs
                .or(file.recent_presence_secs)
                .unwrap_or(defaults.recent_presence_secs),
            upload_max_bytes: args
                .upload_max_bytes
                .or(file.upload_max_bytes)
                .unwrap_or(defaults.upload_max_bytes),
            analytics_cache_rows: args
                .analytics_cache_rows
                .or(file.analytics_cache_rows)
                .unwrap_or(defaults.analytics_cache_rows),
            upload_dir: args
                .upload_dir
                .clone()
                .or(file.upload_dir)
                .filter(|dir| !dir.as_os_str().is_empty()),
            retention_days: args.retention_days.or(file.retention_days),
            grade_retry_base_secs: args
                .grade_retry_base_secs
                .or(file.grade_retry_base_secs)
                .unwrap_or(defaults.grade_retry_base_secs),
            grade_retry_max_delay_secs: args
                .grade_retry_max_delay_secs
                .or(file.grade_retry_max_delay_secs)
                .unwrap_or(defaults.grade_retry_max_delay_secs),
            grade_give_up_secs: args
                .grade_give_up_secs
                .or(file.grade_give_up_secs)
                .unwrap_or(defaults.grade_give_up_secs),
            grade_auto_delay_secs: args
                .grade_auto_delay_secs
                .or(file.grade_auto_delay_secs)
                .unwrap_or(defaults.grade_auto_delay_secs),
            grade_claim_lease_secs: args
                .grade_claim_lease_secs
                .or(file.grade_claim_lease_secs)
                .unwrap_or(defaults.grade_claim_lease_secs),
            allow_private_addresses: args
                .allow_private_addresses
                .or(file.allow_private_addresses)
                .unwrap_or(defaults.allow_private_addresses),
            registration_allowed_hosts: args
                .registration_allowed_hosts
                .clone()
                .or(file.registration_allowed_hosts)
                .unwrap_or_default()
                .iter()
                .map(|host| host.trim().to_ascii_lowercase())
                .filter(|host| !host.is_empty())
                .collect(),
            roster_refresh_secs: args
                .roster_refresh_secs
                .or(file.roster_refresh_secs)
                .unwrap_or(defaults.roster_refresh_secs),
            login_rate_per_minute: args
                .login_rate_per_minute
                .or(file.login_rate_per_minute)
                .unwrap_or(defaults.login_rate_per_minute),
            write_rate_per_minute: args
                .write_rate_per_minute
                .or(file.write_rate_per_minute)
                .unwrap_or(defaults.write_rate_per_minute),
            login_states_max: args
                .login_states_max
                .or(file.login_states_max)
                .unwrap_or(defaults.login_states_max),
            header_read_timeout_secs: args
                .header_read_timeout_secs
                .or(file.header_read_timeout_secs)
                .unwrap_or(defaults.header_read_timeout_secs),
            platforms: file.platforms,
        };
        config.check()?;
        Ok(config)
    }

    fn check(&self) -> Result<(), ConfigError> {
        let positive = [
            ("session_ttl_secs", self.session_ttl_secs),
            ("login_state_ttl_secs", self.login_state_ttl_secs),
            ("key_grace_secs", self.key_grace_secs),
            ("recent_presence_secs", self.recent_presence_secs),
            ("grade_retry_base_secs", self.grade_retry_base_secs),
            (
                "grade_retry_max_delay_secs",
                self.grade_retry_max_delay_secs,
            ),
            ("grade_give_up_secs", self.grade_give_up_secs),
            ("grade_auto_delay_secs", self.grade_auto_delay_secs),
            ("grade_claim_lease_secs", self.grade_claim_lease_secs),
        ];
        for (name, value) in positive {
            if value <= 0 {
                return Err(ConfigError::Invalid {
                    name,
                    message: format!("{value} is not a positive number of seconds"),
                });
            }
        }
        if let Some(days) = self.retention_days {
            if !(1..=MAX_RETENTION_DAYS).contains(&days) {
                return Err(ConfigError::Invalid {
                    name: "retention_days",
                    message: format!(
                        "{days} is outside 1..={MAX_RETENTION_DAYS} days; leave it unset to keep content"
                    ),
                });
            }
        }
        if self.roster_refresh_secs < 300 {
            return Err(ConfigError::Invalid {
                name: "roster_refresh_secs",
                message: format!(
                    "{} is below 300 seconds; each refresh reads the whole course from the platform",
                    self.roster_refresh_secs
                ),
            });
        }
        if !(0..=3650).contains(&self.key_rotation_days) {
            return Err(ConfigError::Invalid {
                name: "key_rotation_days",
                message: format!(
                    "{} is outside 0..=3650 days; 0 turns scheduled rotation off",
                    self.key_rotation_days
                ),
            });
        }
        if self.key_rotation_days > 0 && self.key_rotation_days * 86_400 <= 2 * self.key_grace_secs
        {
            return Err(ConfigError::Invalid {
                name: "key_rotation_days",
                message: format!(
                    "{} days is not more than twice key_grace_secs ({} s), so a new key would \
                     be published before the previous one stopped signing; raise \
                     key_rotation_days or lower key_grace_secs",
                    self.key_rotation_days, self.key_grace_secs
                ),
            });
        }
        if self.platform_jwks_max_age_secs < self.jwks_refetch_cooldown_secs {
            return Err(ConfigError::Invalid {
                name: "platform_jwks_max_age_secs",
                message: format!(
                    "{} s is below jwks_refetch_cooldown_secs ({} s)",
                    self.platform_jwks_max_age_secs, self.jwks_refetch_cooldown_secs
                ),
            });
        }
        for (name, value) in [
            ("COWORK_KEY_ENCRYPTION_KEY", &self.key_encryption_key),
            (
                "COWORK_KEY_ENCRYPTION_KEY_PREVIOUS",
                &self.key_encryption_key_previous,
            ),
        ] {
            if let Some(text) = value {
                crate::keys::KeyCipher::from_base64(text)
                    .map_err(|message| ConfigError::Invalid { name, message })?;
            }
        }
        if self.login_states_max < 1 {
            return Err(ConfigError::Invalid {
                name: "login_states_max",
                message: format!(
                    "{} is below 1; every launch needs a stored login state",
                    self.login_states_max
                ),
            });
        }
        if !(1..=3600).contains(&self.header_read_timeout_secs) {
            return Err(ConfigError::Invalid {
                name: "header_read_timeout_secs",
                message: format!(
                    "{} is outside 1..=3600 seconds",
                    self.header_read_timeout_secs
                ),
            });
        }
        if !(0..=300).contains(&self.clock_leeway_secs) {
            return Err(ConfigError::Invalid {
                name: "clock_leeway_secs",
                message: format!("{} is outside 0..=300 seconds", self.clock_leeway_secs),
            });
        }
        if !(1..=MAX_UPLOAD_BYTES).contains(&self.upload_max_bytes) {
            return Err(ConfigError::Invalid {
                name: "upload_max_bytes",
                message: format!(
                    "{} is outside 1..={MAX_UPLOAD_BYTES} bytes; uploads are held in memory \
                     while they are checked",
                    self.upload_max_bytes
                ),
            });
        }
        Ok(())
    }

    /// Returns the public origin as text without a trailing slash, e.g. `https://cowork.example.edu`.
    pub fn public_base(&self) -> String {
        self.public_url.as_str().trim_end_matches('/').to_string()
    }

    /// Absolute URL of a path on this tool, e.g. `url_for("/lti/launch")`.
    pub fn url_for(&self, path: &str) -> String {
        format!("{}{}", self.public_base(), path)
    }

    /// Formats the effective settings as TOML with the database URL's password hidden,
    /// whether it is given in the user info or as a `password` query parameter.
    pub fn redacted_summary(&self) -> String {
        let mut shown = self.clone();
        shown.database_url = redact_url_password(&self.database_url);
        let sealing = if self.key_encryption_key.is_some() {
            "encrypted with COWORK_KEY_ENCRYPTION_KEY"
        } else {
            "stored unencrypted"
        };
        match toml::to_string(&shown) {
            // A top-level key before the rest keeps the text valid TOML.
            Ok(text) => format!("tool_private_keys = {sealing:?}\n{text}"),
            Err(error) => format!("(unprintable: {error})"),
        }
    }
}

/// Reads a secret from the environment; an empty value counts as unset.
fn secret_from_env(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|value| value.trim().to_string())
        .filter(|value| !value.is_empty())
}

fn read_file(path: &Path) -> Result<FileConfig, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    toml::from_str(&text).map_err(|source| ConfigError::Parse {
        path: path.to_path_buf(),
        source,
    })
}

/// Accepts an http(s) origin, optionally with a trailing slash; rejects paths and queries
/// because every cowork route is served from the root of its origin.
fn parse_public_url(raw: &str) -> Result<Url, ConfigError> {
    let invalid = |message: String| ConfigError::Invalid {
        name: "public_url",
        message,
    };
    let url = Url::parse(raw).map_err(|error| invalid(format!("{raw:?} is not a URL: {error}")))?;
    if url.scheme() != "http" && url.scheme() != "https" {
        return Err(invalid(format!(
            "{raw:?} must start with https:// or http://"
        )));
    }
    if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
        return Err(invalid(format!(
            "{raw:?} has a path, query or fragment; give only the origin, e.g. https://cowork.example.edu"
        )));
    }
    Ok(url)
}

/// Query parameters of a database URL that carry a password (sqlx's PostgreSQL options).
const PASSWORD_PARAMETERS: [&str; 2] = ["password", "sslpassword"];

fn redact_url_password(raw: &str) -> String {
    let Ok(mut url) = Url::parse(raw) else {
        // Not a URL, e.g. a bare SQLite path; nothing in it is a password by syntax.
        return raw.to_string();
    };
    if url.password().is_some() {
        let _ = url.set_password(Some("REDACTED"));
    }
    let has_secret_parameter = url
        .query_pairs()
        .any(|(name, _)| PASSWORD_PARAMETERS.contains(&name.as_ref()));
    if has_secret_parameter {
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(name, value)| {
                let shown = if PASSWORD_PARAMETERS.contains(&name.as_ref()) {
                    "REDACTED".to_string()
                } else {
                    value.into_owned()
                };
                (name.into_owned(), shown)
            })
            .collect();
        url.query_pairs_mut().clear().extend_pairs(pairs);
    }
    url.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_override_file_and_defaults() {
        let dir = std::env::temp_dir().join(format!("cowork-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("cowork.toml");
        std::fs::write(
            &path,
            "bind = \"127.0.0.1:4000\"\npublic_url = \"https://file.example.edu\"\n\
             session_ttl_secs = 60\n",
        )
        .unwrap();
        let args = ConfigArgs {
            config: Some(path),
            public_url: Some("https://flag.example.edu/".into()),
            ..Default::default()
        };
        let config = Config::load(&args).unwrap();
        assert_eq!(config.bind, "127.0.0.1:4000".parse().unwrap());
        assert_eq!(config.public_base(), "https://flag.example.edu");
        assert_eq!(config.session_ttl_secs, 60);
        assert_eq!(config.database_url, "sqlite://cowork.db");
    }

    #[test]
    fn retention_days_checked() {
        assert_eq!(
            Config::load(&ConfigArgs::default()).unwrap().retention_days,
            None
        );
        let set = ConfigArgs {
            retention_days: Some(365),
            ..Default::default()
        };
        assert_eq!(Config::load(&set).unwrap().retention_days, Some(365));
        for days in [0, -1, MAX_RETENTION_DAYS + 1] {
            let args = ConfigArgs {
                retention_days: Some(days),
                ..Default::default()
            };
            let error = Config::load(&args).unwrap_err().to_string();
            assert!(error.contains("retention_days"), "{days}: {error}");
        }
    }

    #[test]
    fn public_url_with_path_rejected() {
        let args = ConfigArgs {
            public_url: Some("https://example.edu/cowork".into()),
            ..Default::default()
        };
        let error = Config::load(&args).unwrap_err().to_string();
        assert!(error.contains("public_url"), "{error}");
    }

    #[test]
    fn unknown_file_key_rejected() {
        let path = std::env::temp_dir().join(format!("cowork-bad-{}.toml", std::process::id()));
        std::fs::write(&path, "bnid = \"127.0.0.1:1\"\n").unwrap();
        let args = ConfigArgs {
            config: Some(path),
            ..Default::default()
        };
        let error = Config::load(&args).unwrap_err().to_string();
        assert!(error.contains("bnid"), "{error}");
    }

    #[test]
    fn upload_settings_from_file() {
        let path = std::env::temp_dir().join(format!("cowork-upload-{}.toml", std::process::id()));
        std::fs::write(
            &path,
            "upload_max_bytes = 2048\nupload_dir = \"/var/lib/cowork/uploads\"\n",
        )
        .unwrap();
        let args = ConfigArgs {
            config: Some(path),
            ..Default::default()
        };
        let config = Config::load(&args).unwrap();
        assert_eq!(config.upload_max_bytes, 2048);
        assert_eq!(
            config.upload_dir.as_deref(),
            Some(Path::new("/var/lib/cowork/uploads"))
        );
        let defaults = Config::default();
        assert_eq!(defaults.upload_max_bytes, 10 * 1024 * 1024);
        assert_eq!(defaults.upload_dir, None);
    }

    #[test]
    fn zero_upload_limit_rejected() {
        let args = ConfigArgs {
            upload_max_bytes: Some(0),
            ..Default::default()
        };
        let error = Config::load(&args).unwrap_err().to_string();
        assert!(error.contains("upload_max_bytes"), "{error}");
    }

    #[test]
    fn outbound_and_registration_settings_from_file() {
        let path =
            std::env::temp_dir().join(format!("cowork-outbound-{}.toml", std::process::id()));
        std::fs::write(
            &path,
            "allow_private_addresses = true\n\
             registration_allowed_hosts = [\"Moodle.Example.edu\", \" \"]\n\
             roster_refresh_secs = 600\n",
        )
        .unwrap();
        let args = ConfigArgs {
            config: Some(path),
            ..Default::default()
        };
        let config = Config::load(&args).unwrap();
        assert!(config.allow_private_addresses);
        assert_eq!(config.registration_allowed_hosts, ["moodle.example.edu"]);
        assert_eq!(config.roster_refresh_secs, 600);
        assert!(!Config::default().allow_private_addresses);
    }

    #[test]
    fn short_roster_refresh_rejected() {
        let args = ConfigArgs {
            roster_refresh_secs: Some(10),
            ..Default::default()
        };
        let error = Config::load(&args).unwrap_err().to_string();
        assert!(error.contains("roster_refresh_secs"), "{error}");
    }

    #[test]
    fn summary_hides_database_password() {
        let config = Config {
            database_url: "postgres://cowork:secret@db.example.edu/cowork".into(),
            ..Default::default()
        };
        let summary = config.redacted_summary();
        assert!(!summary.contains("secret"), "{summary}");
        assert!(summary.contains("REDACTED"), "{summary}");
    }

    #[test]
    fn summary_hides_password_parameters() {
        let config = Config {
            database_url: "postgres://db.example.edu/cowork?sslmode=require&password=secret1\
                           &sslpassword=secret2"
                .into(),
            ..Default::default()
        };
        let summary = config.redacted_summary();
        assert!(!summary.contains("secret1"), "{summary}");
        assert!(!summary.contains("secret2"), "{summary}");
        assert!(summary.contains("sslmode=require"), "{summary}");
        assert!(summary.contains("db.example.edu/cowork"), "{summary}");
    }

    #[test]
    fn summary_keeps_plain_settings() {
        let config = Config {
            database_url: "sqlite:///var/lib/cowork/cowork.db".into(),
            metrics_bind: Some("127.0.0.1:9100".parse().unwrap()),
            ..Default::default()
        };
        let summary = config.redacted_summary();
        assert!(
            summary.contains("database_url = \"sqlite:///var/lib/cowork/cowork.db\""),
            "{summary}"
        );
        assert!(
            summary.contains("metrics_bind = \"127.0.0.1:9100\""),
            "{summary}"
        );
        assert!(summary.contains("bind = \"127.0.0.1:3000\""), "{summary}");
    }

    #[test]
    fn metrics_bind_from_file_and_flag() {
        let path = std::env::temp_dir().join(format!("cowork-metrics-{}.toml", std::process::id()));
        std::fs::write(&path, "metrics_bind = \"127.0.0.1:9100\"\n").unwrap();
        let from_file = Config::load(&ConfigArgs {
            config: Some(path.clone()),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(
            from_file.metrics_bind,
            Some("127.0.0.1:9100".parse().unwrap())
        );
        let from_flag = Config::load(&ConfigArgs {
            config: Some(path),
            metrics_bind: Some("127.0.0.1:9200".parse().unwrap()),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(
            from_flag.metrics_bind,
            Some("127.0.0.1:9200".parse().unwrap())
        );
        assert_eq!(Config::default().metrics_bind, None);
    }
}
