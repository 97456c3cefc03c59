fn main() -> std::process::ExitCode {
    cowork::cli::run()
}
