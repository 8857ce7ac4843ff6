//! `windlass-kube-sim --kubeconfig FILE [--context NAME]...`: runs the local Kubernetes API test
//! double until Ctrl-C, after writing a kubeconfig for it.

use std::path::PathBuf;

use clap::Parser;

/// A local Kubernetes API for trying windlass without a cluster: objects in memory, no
/// containers, only the controllers helm waits for. Not a cluster.
#[derive(Debug, Parser)]
#[command(name = "windlass-kube-sim", version)]
struct Args {
    /// Where to write the kubeconfig (contexts `kube-sim`, `kube-sim-read-only` and --context).
    #[arg(long, value_name = "FILE")]
    kubeconfig: PathBuf,
    /// Another context name for the admin user (repeat), e.g. an environment's kubeContext.
    #[arg(long = "context", value_name = "NAME")]
    contexts: Vec<String>,
    /// Port on 127.0.0.1 (0: any free port).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Print one line per request on stderr: method, path, body type and answer.
    #[arg(long)]
    log_requests: bool,
}

fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", args.port)).await?;
        let address = listener.local_addr()?;
        println!("windlass-kube-sim: serving http://{address} (in memory; Ctrl-C stops it)");
        println!("kubeconfig: {}", args.kubeconfig.display());
        let mut contexts = vec![windlass_kube_sim::ADMIN_CONTEXT.to_string()];
        contexts.extend(args.contexts.iter().cloned());
        contexts.push(windlass_kube_sim::READ_ONLY_CONTEXT.to_string());
        println!("contexts: {}", contexts.join(", "));
        let options = windlass_kube_sim::Options {
            contexts: args.contexts.clone(),
            kubeconfig: Some(args.kubeconfig.clone()),
            port: args.port,
            log_requests: args.log_requests,
        };
        windlass_kube_sim::serve_until(listener, &options, &args.kubeconfig, async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
    });
    match result {
        Ok(()) => {
            println!("windlass-kube-sim: stopped");
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
