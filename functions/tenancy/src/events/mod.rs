//! Incoming requests and outgoing announcements on Amazon EventBridge.

pub mod contract;
mod inbound;
mod outbound;

pub use contract::{EventContract, Origin, RequestKind, SbtGeneration};
pub use inbound::{
    EnvelopeError, InboundEvent, OffboardRequest, OnboardRequest, Rejection, identify,
    offboard_request, onboard_request, parse_event,
};
pub use outbound::{FailureNotice, OutboundEvent, deprovisioned, failure_event, provisioned};
