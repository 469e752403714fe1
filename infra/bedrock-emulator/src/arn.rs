//! Splitting of Bedrock ARNs into their fields.

/// Fields of an ARN `arn:{partition}:{service}:{region}:{account}:{type}/{id}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Arn<'a> {
    pub(crate) partition: &'a str,
    pub(crate) service: &'a str,
    pub(crate) region: &'a str,
    pub(crate) account: &'a str,
    pub(crate) resource_type: &'a str,
    pub(crate) resource_id: &'a str,
}

impl<'a> Arn<'a> {
    /// Splits `text`, or returns `None` when it is not an ARN with a
    /// `type/id` resource. The id keeps any colons, as in `...-v1:0`.
    pub(crate) fn parse(text: &'a str) -> Option<Arn<'a>> {
        let mut fields = text.splitn(6, ':');
        if fields.next()? != "arn" {
            return None;
        }
        let partition = fields.next()?;
        let service = fields.next()?;
        let region = fields.next()?;
        let account = fields.next()?;
        let (resource_type, resource_id) = fields.next()?.split_once('/')?;

        Some(Arn {
            partition,
            service,
            region,
            account,
            resource_type,
            resource_id,
        })
    }
}

/// Builds the ARN of a resource in the `aws` partition of Bedrock.
pub(crate) fn bedrock_arn(region: &str, account: &str, resource_type: &str, id: &str) -> String {
    format!("arn:aws:bedrock:{region}:{account}:{resource_type}/{id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_keeps_colons_in_resource_id() {
        let text =
            "arn:aws:bedrock:us-east-1:111122223333:inference-profile/us.amazon.nova-lite-v1:0";

        let arn = Arn::parse(text);

        assert_eq!(
            arn,
            Some(Arn {
                partition: "aws",
                service: "bedrock",
                region: "us-east-1",
                account: "111122223333",
                resource_type: "inference-profile",
                resource_id: "us.amazon.nova-lite-v1:0",
            })
        );
    }

    #[test]
    fn parse_accepts_empty_account() {
        let text = "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0";

        let arn = Arn::parse(text);

        assert_eq!(arn.map(|arn| arn.account), Some(""));
    }

    #[test]
    fn parse_rejects_text_without_resource() {
        let cases = [
            "",
            "arn",
            "arn:aws:bedrock:us-east-1:1",
            "hq2of259skzs",
            "urn:aws:bedrock:r:a:t/i",
        ];

        for text in cases {
            assert_eq!(Arn::parse(text), None, "{text}");
        }
    }
}
