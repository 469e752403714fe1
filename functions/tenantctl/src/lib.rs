//! `tenantctl`: the operator's command line for the tenant registry, and
//! per-tenant Amazon Bedrock usage and cost reports.
//!
//! Every command is a library function so that tests run the same code as
//! the binary; [`commands::run`] dispatches a parsed [`Cli`].

pub mod chart;
pub mod cli;
pub mod commands;
pub mod cost;
pub mod dates;
pub mod error;
pub mod output;
pub mod prices;
mod reconcile;
mod registry;
pub mod tags;
pub mod usage;

pub use cli::Cli;
pub use commands::run;
pub use error::CliError;
