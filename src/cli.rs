//! Command line: `serve`, `demo`, `keys`, `platform` and `privacy`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use serde::Deserialize;
use tokio::net::TcpListener;
use tracing_subscriber::EnvFilter;

use crate::app::{self, AppState};
use crate::config::{Config, ConfigArgs};
use crate::demo::{self, DemoPlatform};
use crate::lti::discovery;
use crate::net::PlatformHttp;
use crate::store::{self, DynStore, NewPlatform};
use crate::web::register::invite_digest;
use crate::{keys, random_token, unix_now};

#[derive(Parser)]
#[command(
    name = "cowork",
    version,
    about = "An LTI 1.3 coworking space for Moodle courses"
)]
struct Cli {
    #[command(flatten)]
    config: ConfigArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the tool.
    Serve,
    /// Run the tool together with a built-in LTI 1.3 platform to launch it from.
    Demo {
        /// Address of the demo platform.
        #[arg(long, default_value = "127.0.0.1:3001")]
        platform_bind: SocketAddr,
    },
    /// Manage the tool's signing keys.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Manage platform registrations.
    #[command(subcommand)]
    Platform(PlatformCommand),
    /// Export or erase one person's data (see docs/PRIVACY.md).
    #[command(subcommand)]
    Privacy(PrivacyCommand),
}

/// A person as the platform identifies them, optionally limited to one space.
#[derive(clap::Args)]
struct PersonArgs {
    /// The platform's issuer, as listed by `cowork platform list`.
    #[arg(long)]
    platform: String,
    /// The person's user id at the platform (the `sub` of their launches; Moodle: the
    /// numeric user id).
    #[arg(long)]
    user: String,
    /// Limit to one space id; by default every space.
    #[arg(long)]
    space: Option<i64>,
}

#[derive(Subcommand)]
enum PrivacyCommand {
    /// Print everything cowork stores about a person as JSON.
    Export {
        #[command(flatten)]
        person: PersonArgs,
        /// Write the JSON to this file instead of standard output.
        #[arg(long)]
        output: Option<PathBuf>,
    },
    /// Erase a person's data: content is replaced, and the person's place in the
    /// measures goes to an anonymous placeholder. Cannot be undone.
    Erase {
        #[command(flatten)]
        person: PersonArgs,
        /// Required: confirms that the erasure cannot be undone.
        #[arg(long)]
        confirm: bool,
    },
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Add a new signing key; earlier keys stay published for the grace period.
    Rotate,
    /// List stored keys with their state.
    List,
}

#[derive(Subcommand)]
enum PlatformCommand {
    /// Register a platform, or update its URLs and add deployments if it exists.
    Add {
        /// The platform's issuer, exactly as in its id_tokens (Moodle: the site URL).
        #[arg(long, required_unless_present = "openid_configuration")]
        issuer: Option<String>,
        /// The client ID the platform assigned to cowork.
        #[arg(long)]
        client_id: String,
        /// Authentication request URL (Moodle: /mod/lti/auth.php).
        #[arg(long, required_unless_present = "openid_configuration")]
        auth_url: Option<String>,
        /// Access token URL (Moodle: /mod/lti/token.php).
        #[arg(long, required_unless_present = "openid_configuration")]
        token_url: Option<String>,
        /// Public keyset URL (Moodle: /mod/lti/certs.php).
        #[arg(long, required_unless_present = "openid_configuration")]
        jwks_url: Option<String>,
        /// Read issuer and endpoint URLs from the platform's OpenID configuration instead
        /// (Moodle: /mod/lti/openid-configuration.php).
        #[arg(long, conflicts_with_all = ["issuer", "auth_url", "token_url", "jwks_url"])]
        openid_configuration: Option<String>,
        /// Deployment ID; repeat for several.
        #[arg(long = "deployment-id")]
        deployment_ids: Vec<String>,
    },
    /// Create a one-time link through which a platform registers cowork dynamically.
    Invite {
        /// Hours until the link expires (1 to 720).
        #[arg(long, default_value_t = 24)]
        valid_hours: i64,
    },
    /// Register every platform listed in a TOML file (`[[platforms]]` tables).
    Import { file: PathBuf },
    /// List registrations.
    List {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Remove a registration; spaces and their history are kept.
    Remove {
        #[arg(long)]
        issuer: String,
        #[arg(long)]
        client_id: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlatformFile {
    platforms: Vec<NewPlatform>,
}

/// Parses the command line, runs the command, and maps failures to exit code 1.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let json_logs = match std::env::var("COWORK_LOG_FORMAT").as_deref() {
        Err(_) | Ok("") | Ok("text") => false,
        Ok("json") => true,
        Ok(other) => {
            eprintln!("error: COWORK_LOG_FORMAT is \"{other}\"; set it to text or json");
            return ExitCode::FAILURE;
        }
    };
    init_tracing(json_logs);
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    match runtime.block_on(execute(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// Log targets whose debug output contains the text they process: html5ever logs each
/// run of characters of the Markdown that chat, help and showcase texts are sanitized
/// from. They log warnings and errors only, whatever `COWORK_LOG` sets.
const TEXT_LOGGING_TARGETS: [&str; 2] = ["html5ever", "markup5ever"];

/// Builds the log filter from a `COWORK_LOG` value (`info,sqlx=warn` when it is unset
/// or invalid), with [`TEXT_LOGGING_TARGETS`] limited to warnings.
pub fn log_filter(spec: Option<&str>) -> EnvFilter {
    let default = || EnvFilter::new("info,sqlx=warn");
    let mut filter = match spec {
        Some(spec) => EnvFilter::try_new(spec).unwrap_or_else(|_| default()),
        None => default(),
    };
    for target in TEXT_LOGGING_TARGETS {
        let directive = format!("{target}=warn")
            .parse()
            .expect("a target name with a level is a valid directive");
        filter = filter.add_directive(directive);
    }
    filter
}

/// Sends logs to standard error, as text or as one JSON object per line.
fn init_tracing(json: bool) {
    let spec = std::env::var("COWORK_LOG")
        .ok()
        .filter(|spec| !spec.is_empty());
    let filter = log_filter(spec.as_deref());
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        logs.json().flatten_event(true).init();
    } else {
        logs.init();
    }
}

async fn execute(cli: Cli) -> anyhow::Result<()> {
    let config = Config::load(&cli.config)?;
    for platform in &config.platforms {
        platform
            .validate()
            .map_err(|error| anyhow::anyhow!("config file platform: {error}"))?;
    }
    match cli.command {
        Command::Serve => serve(config).await,
        Command::Demo { platform_bind } => run_demo(config, platform_bind).await,
        Command::Keys(command) => keys_command(config, command).await,
        Command::Platform(command) => platform_command(config, command).await,
        Command::Privacy(command) => privacy_command(config, command).await,
    }
}

async fn open_store(config: &Config) -> anyhow::Result<DynStore> {
    store::connect(&config.database_url)
        .await
        .map_err(|error| anyhow::anyhow!("cannot open database: {error}"))
}

async fn bind_metrics(config: &Config) -> anyhow::Result<Option<TcpListener>> {
    app::bind_metrics(config).await.map_err(|error| {
        anyhow::anyhow!(
            "cannot listen for metrics on {}: {error}",
            config
                .metrics_bind
                .map(|address| address.to_string())
                .unwrap_or_default()
        )
    })
}

async fn serve(config: Config) -> anyhow::Result<()> {
    tracing::info!(config = %config.redacted_summary(), "effective configuration");
    let store = open_store(&config).await?;
    let listener = TcpListener::bind(config.bind)
        .await
        .map_err(|error| anyhow::anyhow!("cannot listen on {}: {error}", config.bind))?;
    let metrics_listener = bind_metrics(&config).await?;
    let state = AppState::new(config, store.clone()).await?;
    tracing::info!(address = %listener.local_addr()?, "cowork listening");
    app::serve_with_metrics(listener, metrics_listener, state, app::shutdown_signal()).await?;
    store.close().await;
    tracing::info!("cowork stopped");
    Ok(())
}

async fn run_demo(mut config: Config, platform_bind: SocketAddr) -> anyhow::Result<()> {
    // With only the bind address changed, the tool is reached where it listens.
    let defaults = Config::default();
    // The demo platform listens on a loopback address.
    config.allow_private_addresses = true;
    if config.public_url == defaults.public_url && config.bind != defaults.bind {
        config.public_url = format!("http://{}", config.bind).parse()?;
    }
    let store = open_store(&config).await?;
    let tool_listener = TcpListener::bind(config.bind)
        .await
        .map_err(|error| anyhow::anyhow!("cannot listen on {}: {error}", config.bind))?;
    let platform_listener = TcpListener::bind(platform_bind)
        .await
        .map_err(|error| anyhow::anyhow!("cannot listen on {platform_bind}: {error}"))?;
    let metrics_listener = bind_metrics(&config).await?;
    let platform_url = format!("http://{}", platform_listener.local_addr()?);
    let platform = Arc::new(DemoPlatform::new(
        platform_url.clone(),
        config.public_base(),
    ));
    store
        .upsert_platform(&platform.registration(), unix_now())
        .await?;
    let state = AppState::new(config, store).await?;

    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let platform_task = tokio::spawn({
        let mut stop = stop_rx.clone();
        async move {
            axum::serve(platform_listener, demo::router(platform))
                .with_graceful_shutdown(async move {
                    let _ = stop.changed().await;
                })
                .await
        }
    });
    println!("cowork demo is running.");
    println!(
        "  Open {platform_url}/ in a browser, choose a course, a person and a role, and launch."
    );
    println!(
        "  The tool itself answers at {}",
        state.config.public_base()
    );
    println!("  Press Ctrl+C to stop.");
    let mut stop = stop_rx;
    let tool = app::serve_with_metrics(tool_listener, metrics_listener, state, async move {
        let _ = stop.changed().await;
    });
    let signal = async {
        app::shutdown_signal().await;
        let _ = stop_tx.send(true);
    };
    let (served, ()) = tokio::join!(tool, signal);
    served?;
    platform_task.await??;
    Ok(())
}

async fn keys_command(config: Config, command: KeysCommand) -> anyhow::Result<()> {
    let store = open_store(&config).await?;
    let vault = keys::KeyVault::from_config(&config)?;
    match command {
        KeysCommand::Rotate => {
            let kid = keys::rotate(store.as_ref(), &vault, unix_now()).await?;
            println!(
                "new signing key {kid}; earlier keys stay published for {} seconds",
                config.key_grace_secs
            );
        }
        KeysCommand::List => {
            let now = unix_now();
            for key in store.tool_keys().await? {
                let grace = config.key_grace_secs;
                let status = match key.retired_at {
                    _ if key.active_from > now => {
                        format!("published, signs in {} seconds", key.active_from - now)
                    }
                    None => "signing".to_string(),
                    Some(at) if at > now => {
                        format!("signing for {} more seconds", at - now)
                    }
                    Some(at) if at + grace > now => {
                        format!("retired, published for {} more seconds", at + grace - now)
                    }
                    Some(_) => "retired, no longer published".to_string(),
                };
                let stored = if keys::KeyVault::is_sealed(&key) {
                    "encrypted"
                } else {
                    "unencrypted"
                };
                println!("{}\t{}\t{}", key.kid, status, stored);
            }
        }
    }
    Ok(())
}

/// Finds the person named on the command line. Its errors name the value to check.
async fn find_person(
    store: &dyn store::Store,
    args: &PersonArgs,
) -> anyhow::Result<crate::store::privacy::Person> {
    if store.platforms_for_issuer(&args.platform).await?.is_empty()
        && store
            .person_by_subject(&args.platform, &args.user)
            .await?
            .is_none()
    {
        anyhow::bail!(
            "no platform with issuer {:?} is registered; `cowork platform list` shows the issuers",
            args.platform
        );
    }
    let person = store
        .person_by_subject(&args.platform, &args.user)
        .await?
        .ok_or_else(|| {
            anyhow::anyhow!(
                "no person with user id {:?} at {:?} has launched cowork or been listed in a roster; check the id at the platform (the `sub` of the person's launches)",
                args.user,
                args.platform
            )
        })?;
    if let Some(space_id) = args.space {
        if !store.person_spaces(&person).await?.contains(&space_id) {
            anyhow::bail!(
                "the person has no data in space {space_id}; leave out --space to cover every space"
            );
        }
    }
    Ok(person)
}

async fn privacy_command(config: Config, command: PrivacyCommand) -> anyhow::Result<()> {
    let store = open_store(&config).await?;
    match command {
        PrivacyCommand::Export { person, output } => {
            let found = find_person(store.as_ref(), &person).await?;
            let document = crate::privacy::export(
                store.as_ref(),
                config.upload_dir.as_deref(),
                &found,
                person.space,
                unix_now(),
            )
            .await?;
            let text = serde_json::to_string_pretty(&document)?;
            match output {
                Some(path) => std::fs::write(&path, text + "\n")
                    .map_err(|error| anyhow::anyhow!("cannot write {}: {error}", path.display()))?,
                None => println!("{text}"),
            }
        }
        PrivacyCommand::Erase { person, confirm } => {
            let found = find_person(store.as_ref(), &person).await?;
            if !confirm {
                anyhow::bail!(
                    "erasure cannot be undone; run the command again with --confirm to erase the person's data"
                );
            }
            let erased = crate::privacy::erase(
                store.as_ref(),
                config.upload_dir.as_deref(),
                &found,
                person.space,
                None,
                unix_now(),
            )
            .await?;
            for erasure in &erased {
                println!(
                    "space {}: erased; the person's rows now belong to placeholder user {}",
                    erasure.space_id, erasure.placeholder_id
                );
            }
            if person.space.is_none() {
                println!("the person's identity is deleted");
            }
        }
    }
    store.close().await;
    Ok(())
}

async fn platform_command(config: Config, command: PlatformCommand) -> anyhow::Result<()> {
    let store = open_store(&config).await?;
    match command {
        PlatformCommand::Add {
            issuer,
            client_id,
            auth_url,
            token_url,
            jwks_url,
            openid_configuration,
            deployment_ids,
        } => {
            let platform = match openid_configuration {
                Some(url) => {
                    let http = PlatformHttp::new(config.allow_private_addresses);
                    let endpoints = discovery::fetch_configuration(&http, &url)
                        .await
                        .map_err(|error| anyhow::anyhow!("{error}"))?;
                    NewPlatform {
                        issuer: endpoints.issuer,
                        client_id,
                        auth_url: endpoints.auth_url,
                        token_url: endpoints.token_url,
                        jwks_url: endpoints.jwks_url,
                        deployments: deployment_ids,
                    }
                }
                None => NewPlatform {
                    issuer: issuer.unwrap_or_default(),
                    client_id,
                    auth_url: auth_url.unwrap_or_default(),
                    token_url: token_url.unwrap_or_default(),
                    jwks_url: jwks_url.unwrap_or_default(),
                    deployments: deployment_ids,
                },
            };
            add_platforms(store.as_ref(), &[platform]).await?;
        }
        PlatformCommand::Invite { valid_hours } => {
            create_invite(store.as_ref(), &config, valid_hours).await?;
        }
        PlatformCommand::Import { file } => {
            let text = std::fs::read_to_string(&file)
                .map_err(|error| anyhow::anyhow!("cannot read {}: {error}", file.display()))?;
            let parsed: PlatformFile = toml::from_str(&text).map_err(|error| {
                anyhow::anyhow!("invalid platform file {}: {error}", file.display())
            })?;
            add_platforms(store.as_ref(), &parsed.platforms).await?;
        }
        PlatformCommand::List { json } => {
            let platforms = store.platforms().await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&platforms)?);
            } else if platforms.is_empty() {
                println!("no platforms registered; add one with `cowork platform add`");
            } else {
                for platform in platforms {
                    println!(
                        "{}\tclient_id={}\tdeployments={}",
                        platform.issuer,
                        platform.client_id,
                        platform.deployments.join(",")
                    );
                }
            }
        }
        PlatformCommand::Remove { issuer, client_id } => {
            if store.remove_platform(&issuer, &client_id).await? {
                println!("removed {issuer} client_id={client_id}; its spaces are kept");
            } else {
                anyhow::bail!("no platform with issuer {issuer:?} and client_id {client_id:?}; see `cowork platform list`");
            }
        }
    }
    Ok(())
}

/// Stores a new invitation and prints the link to paste into the platform.
async fn create_invite(
    store: &dyn store::Store,
    config: &Config,
    valid_hours: i64,
) -> anyhow::Result<()> {
    if !(1..=720).contains(&valid_hours) {
        anyhow::bail!("--valid-hours {valid_hours} is outside 1..=720");
    }
    let token = random_token(24);
    let now = unix_now();
    let expires_at = now + valid_hours * 3600;
    store
        .insert_invite(&invite_digest(&token), now, expires_at)
        .await?;
    println!("{}", config.url_for(&format!("/lti/register/{token}")));
    eprintln!(
        "This link registers cowork once and expires in {valid_hours} hours. In Moodle 4.1 or \
         later, paste it as the tool URL under Site administration > Plugins > Activity modules \
         > External tool > Manage tools and press \"Add LTI Advantage\"; then activate the \
         new tool in the same list."
    );
    Ok(())
}

/// Validates every platform first, so a bad entry leaves the database unchanged.
async fn add_platforms(store: &dyn store::Store, platforms: &[NewPlatform]) -> anyhow::Result<()> {
    for platform in platforms {
        platform
            .validate()
            .map_err(|error| anyhow::anyhow!("{error}"))?;
    }
    for platform in platforms {
        let stored = store.upsert_platform(platform, unix_now()).await?;
        if stored.deployments.is_empty() {
            eprintln!(
                "warning: {} client_id={} has no deployment ID yet, so every launch from it is \
                 rejected; add one with `cowork platform add ... --deployment-id ID`",
                stored.issuer, stored.client_id
            );
        }
        println!(
            "registered {} client_id={} deployments={}",
            stored.issuer,
            stored.client_id,
            stored.deployments.join(",")
        );
    }
    Ok(())
}
