//! Reads `template.yaml` the way CloudFormation would for the parts that
//! matter to event routing: the EventBridge rules each function declares and
//! the environment variables that tell the function which events it accepts,
//! with the template's parameters substituted.
//!
//! Only the intrinsics those parts use are resolved: `Ref` to a parameter and
//! `Fn::Join`, in short or long form. Anything else is an error, so a
//! template change the resolver cannot follow fails the tests instead of
//! being compared half-resolved.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Map, Value as Json};
use serde_norway::Value as Yaml;

use crate::repo_file;

/// A value a parameter takes: CloudFormation's `CommaDelimitedList` resolves
/// to a list, every other parameter type to a string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParameterValue {
    Text(String),
    List(Vec<String>),
}

/// Parameter values by parameter name.
pub type Parameters = BTreeMap<String, ParameterValue>;

/// An EventBridge rule that SAM generates from a function's `EventBridgeRule` event.
#[derive(Debug, Clone, PartialEq)]
pub struct EventRule {
    /// Logical id of the function the rule targets, e.g. `OnboardFunction`.
    pub function: String,
    /// The event's name under the function's `Events`, e.g. `TenantSignedUp`.
    pub event: String,
    /// The event pattern with parameters substituted, as EventBridge receives it.
    pub pattern: Json,
}

impl EventRule {
    /// Returns the logical id SAM gives the generated `AWS::Events::Rule`: function id, then event name.
    pub fn logical_id(&self) -> String {
        format!("{}{}", self.function, self.event)
    }
}

/// A parsed SAM template.
pub struct Template {
    root: Yaml,
}

impl Template {
    /// Reads the repository's `template.yaml`.
    pub fn load() -> Result<Self, String> {
        Self::read(&repo_file("template.yaml"))
    }

    pub fn read(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|error| format!("cannot read {}: {error}", path.display()))?;
        Self::parse(&text).map_err(|error| format!("{}: {error}", path.display()))
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        let root: Yaml =
            serde_norway::from_str(text).map_err(|error| format!("invalid YAML: {error}"))?;
        if !root.is_mapping() {
            return Err("the template is not a YAML mapping".to_owned());
        }
        Ok(Self { root })
    }

    /// Returns every parameter's `Default`, as CloudFormation applies it when a
    /// deploy gives no value. Parameters without a default are left out.
    pub fn parameter_defaults(&self) -> Result<Parameters, String> {
        let mut defaults = Parameters::new();
        for (name, declaration) in mapping_entries(&self.root["Parameters"]) {
            let Some(default) = declaration.get("Default") else {
                continue;
            };
            let text = scalar_text(default)
                .ok_or_else(|| format!("parameter {name}: Default is not a scalar"))?;
            let value = match declaration["Type"].as_str() {
                Some("CommaDelimitedList") => {
                    ParameterValue::List(text.split(',').map(str::to_owned).collect())
                }
                _ => ParameterValue::Text(text),
            };
            defaults.insert(name, value);
        }
        Ok(defaults)
    }

    /// Returns the parameter defaults with some values replaced, parsed as a
    /// deploy's `--parameter-overrides Name=Value` would be.
    pub fn parameters_with(&self, overrides: &[(&str, &str)]) -> Result<Parameters, String> {
        let mut parameters = self.parameter_defaults()?;
        for (name, value) in overrides {
            let declared_type = self.root["Parameters"][*name]["Type"]
                .as_str()
                .ok_or_else(|| format!("the template declares no parameter {name}"))?;
            let value = if declared_type == "CommaDelimitedList" {
                ParameterValue::List(value.split(',').map(str::to_owned).collect())
            } else {
                ParameterValue::Text((*value).to_owned())
            };
            parameters.insert((*name).to_owned(), value);
        }
        Ok(parameters)
    }

    /// Returns the logical ids of the `AWS::Serverless::Function` resources, in template order.
    pub fn functions(&self) -> Vec<String> {
        mapping_entries(&self.root["Resources"])
            .filter(|(_, resource)| resource["Type"].as_str() == Some("AWS::Serverless::Function"))
            .map(|(name, _)| name)
            .collect()
    }

    /// Returns every `EventBridgeRule` event of every function, with `parameters` substituted.
    pub fn event_rules(&self, parameters: &Parameters) -> Result<Vec<EventRule>, String> {
        let mut rules = Vec::new();
        for function in self.functions() {
            let events = &self.root["Resources"][function.as_str()]["Properties"]["Events"];
            for (event, declaration) in mapping_entries(events) {
                if declaration["Type"].as_str() != Some("EventBridgeRule") {
                    continue;
                }
                let pattern = resolve(&declaration["Properties"]["Pattern"], parameters)
                    .map_err(|error| format!("{function}.{event} Pattern: {error}"))?;
                if !pattern.is_object() {
                    return Err(format!("{function}.{event} has no Pattern mapping"));
                }
                rules.push(EventRule {
                    function: function.clone(),
                    event,
                    pattern,
                });
            }
        }
        Ok(rules)
    }

    /// Returns one environment variable of a function, with `parameters` substituted.
    pub fn function_variable(
        &self,
        function: &str,
        variable: &str,
        parameters: &Parameters,
    ) -> Result<String, String> {
        let declared =
            &self.root["Resources"][function]["Properties"]["Environment"]["Variables"][variable];
        if declared.is_null() {
            return Err(format!("{function} does not set {variable}"));
        }
        match resolve(declared, parameters)
            .map_err(|error| format!("{function} {variable}: {error}"))?
        {
            Json::String(text) => Ok(text),
            other => Err(format!(
                "{function} {variable} resolves to {other}, not a string"
            )),
        }
    }
}

/// Iterates over the string-keyed entries of a YAML mapping, or over nothing for any other value.
fn mapping_entries(value: &Yaml) -> impl Iterator<Item = (String, &Yaml)> {
    value
        .as_mapping()
        .into_iter()
        .flatten()
        .filter_map(|(key, value)| Some((key.as_str()?.to_owned(), value)))
}

fn scalar_text(value: &Yaml) -> Option<String> {
    match value {
        Yaml::String(text) => Some(text.clone()),
        Yaml::Number(number) => Some(number.to_string()),
        Yaml::Bool(flag) => Some(flag.to_string()),
        _ => None,
    }
}

/// Converts a template value to JSON, resolving `Ref` and `Fn::Join`.
fn resolve(value: &Yaml, parameters: &Parameters) -> Result<Json, String> {
    if let Some((function, argument)) = intrinsic(value) {
        return match function.as_str() {
            "Ref" => resolve_ref(argument, parameters),
            "Fn::Join" => resolve_join(argument, parameters),
            other => Err(format!("unsupported intrinsic function {other}")),
        };
    }
    match value {
        Yaml::Null => Ok(Json::Null),
        Yaml::Bool(flag) => Ok(Json::Bool(*flag)),
        Yaml::Number(number) => serde_json::to_value(number).map_err(|error| error.to_string()),
        Yaml::String(text) => Ok(Json::String(text.clone())),
        Yaml::Sequence(items) => items
            .iter()
            .map(|item| resolve(item, parameters))
            .collect::<Result<Vec<_>, _>>()
            .map(Json::Array),
        Yaml::Mapping(entries) => {
            let mut object = Map::new();
            for (key, item) in entries {
                let key = key
                    .as_str()
                    .ok_or_else(|| format!("mapping key {key:?} is not a string"))?;
                object.insert(key.to_owned(), resolve(item, parameters)?);
            }
            Ok(Json::Object(object))
        }
        Yaml::Tagged(tagged) => Err(format!("unsupported tag {}", tagged.tag)),
    }
}

/// Splits an intrinsic function call into its full name and argument, such as
/// `("Fn::Join", argument)` for both `!Join` and `{Fn::Join: ...}`.
fn intrinsic(value: &Yaml) -> Option<(String, &Yaml)> {
    match value {
        Yaml::Tagged(tagged) => {
            let name = tagged.tag.to_string();
            let name = name.trim_start_matches('!');
            let function = if name == "Ref" {
                name.to_owned()
            } else {
                format!("Fn::{name}")
            };
            Some((function, &tagged.value))
        }
        Yaml::Mapping(entries) if entries.len() == 1 => {
            let (key, argument) = entries.iter().next()?;
            let key = key.as_str()?;
            (key == "Ref" || key.starts_with("Fn::")).then(|| (key.to_owned(), argument))
        }
        _ => None,
    }
}

fn resolve_ref(argument: &Yaml, parameters: &Parameters) -> Result<Json, String> {
    let name = argument
        .as_str()
        .ok_or_else(|| "Ref takes a name".to_owned())?;
    match parameters.get(name) {
        Some(ParameterValue::Text(text)) => Ok(Json::String(text.clone())),
        Some(ParameterValue::List(items)) => Ok(Json::Array(
            items.iter().cloned().map(Json::String).collect(),
        )),
        None => Err(format!(
            "Ref {name} is not a parameter with a value (resources and pseudo parameters are not resolved)"
        )),
    }
}

fn resolve_join(argument: &Yaml, parameters: &Parameters) -> Result<Json, String> {
    let [delimiter, items] = argument
        .as_sequence()
        .map(Vec::as_slice)
        .unwrap_or_default()
    else {
        return Err("Fn::Join takes [delimiter, list]".to_owned());
    };
    let delimiter = delimiter
        .as_str()
        .ok_or_else(|| "the Fn::Join delimiter is not a string".to_owned())?;
    let items = match resolve(items, parameters)? {
        Json::Array(items) => items,
        other => return Err(format!("Fn::Join list resolves to {other}")),
    };
    let mut parts = Vec::new();
    for item in items {
        match item {
            Json::String(text) => parts.push(text),
            other => return Err(format!("Fn::Join item {other} is not a string")),
        }
    }
    Ok(Json::String(parts.join(delimiter)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEMPLATE: &str = r#"
Parameters:
  Source:
    Type: String
    Default: saas.tenants
  Sources:
    Type: CommaDelimitedList
    Default: "a,b"
  NoDefault:
    Type: String
Resources:
  Queue:
    Type: AWS::SQS::Queue
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Environment:
        Variables:
          JOINED: !Join [",", !Ref Sources]
          LONG_FORM: {"Fn::Join": ["-", ["x", {"Ref": "Source"}]]}
          QUEUE: !Ref Queue
      Events:
        Signup:
          Type: EventBridgeRule
          Properties:
            Pattern:
              source: [!Ref Source]
              detail-type: [Signed]
              detail:
                id: [{exists: true}]
        Sbt:
          Type: EventBridgeRule
          Properties:
            Pattern:
              source: !Ref Sources
        Timer:
          Type: Schedule
          Properties:
            Schedule: rate(1 hour)
"#;

    fn template() -> Template {
        Template::parse(TEMPLATE).expect("the sample template parses")
    }

    #[test]
    fn defaults_split_comma_delimited_lists() {
        let defaults = template().parameter_defaults().expect("defaults resolve");

        assert_eq!(
            defaults.get("Source"),
            Some(&ParameterValue::Text("saas.tenants".to_owned()))
        );
        assert_eq!(
            defaults.get("Sources"),
            Some(&ParameterValue::List(vec!["a".to_owned(), "b".to_owned()]))
        );
        assert_eq!(defaults.get("NoDefault"), None);
    }

    #[test]
    fn event_rules_substitute_parameters() {
        let template = template();
        let parameters = template
            .parameters_with(&[("Source", "acme")])
            .expect("known");

        let rules = template.event_rules(&parameters).expect("rules resolve");

        assert_eq!(
            rules.len(),
            2,
            "the Schedule event is not a rule: {rules:?}"
        );
        assert_eq!(rules[0].logical_id(), "WorkerSignup");
        assert_eq!(
            rules[0].pattern,
            serde_json::json!({
                "source": ["acme"],
                "detail-type": ["Signed"],
                "detail": {"id": [{"exists": true}]}
            })
        );
        assert_eq!(rules[1].pattern, serde_json::json!({"source": ["a", "b"]}));
    }

    #[test]
    fn variables_resolve_short_and_long_forms() {
        let template = template();
        let parameters = template.parameter_defaults().expect("defaults resolve");

        let joined = template.function_variable("Worker", "JOINED", &parameters);
        let long_form = template.function_variable("Worker", "LONG_FORM", &parameters);

        assert_eq!(joined, Ok("a,b".to_owned()));
        assert_eq!(long_form, Ok("x-saas.tenants".to_owned()));
    }

    #[test]
    fn unresolvable_values_are_errors() {
        let template = template();
        let parameters = template.parameter_defaults().expect("defaults resolve");

        let resource_ref = template.function_variable("Worker", "QUEUE", &parameters);
        let missing = template.function_variable("Worker", "ABSENT", &parameters);
        let unknown_override = template.parameters_with(&[("Typo", "x")]);

        assert!(resource_ref.is_err(), "{resource_ref:?}");
        assert!(missing.is_err(), "{missing:?}");
        assert!(unknown_override.is_err(), "{unknown_override:?}");
    }
}
