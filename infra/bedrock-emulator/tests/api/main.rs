//! Black-box tests: the real `aws-sdk-bedrock` and `aws-sdk-bedrockruntime`
//! clients (and a raw HTTP client for wire details) against an in-process
//! emulator on 127.0.0.1.

mod converse;
mod faults;
mod helpers;
mod profiles;
mod tags;
mod validation;
mod wire;
