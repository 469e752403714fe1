//! Prints the EventBridge rules that `template.yaml` declares, one per line as
//! `<rule logical id> TAB <function logical id> TAB <pattern JSON>`, with the
//! parameter defaults substituted, so the local stack can create the same
//! rules on moto.
//!
//! Usage: template-rules [Name=Value ...]   (parameter overrides, as for `sam deploy`)

use std::process::ExitCode;

use integration_tests::template::Template;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("template-rules: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    let mut overrides = Vec::new();
    for argument in &arguments {
        let (name, value) = argument
            .split_once('=')
            .ok_or_else(|| format!("invalid argument {argument:?}: expected Name=Value"))?;
        overrides.push((name, value));
    }

    let template = Template::load()?;
    let parameters = template.parameters_with(&overrides)?;
    for rule in template.event_rules(&parameters)? {
        println!("{}\t{}\t{}", rule.logical_id(), rule.function, rule.pattern);
    }
    Ok(())
}
