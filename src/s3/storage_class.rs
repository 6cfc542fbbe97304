//! S3 storage classes (the `x-amz-storage-class` values) and what they cost.
//!
//! The values are the 15 of the S3 service model's `StorageClass` shape (s3-spec §7). Prices,
//! retrieval costs, minimum storage durations and retrieval times come from the seed plan's
//! storage class table and are left `None` where the plan gives none: prices vary by region
//! and over time, so this crate never makes one up. Which providers accept which class is
//! checked elsewhere (R2, for instance, takes only `STANDARD` and `STANDARD_IA`).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize, Serializer};

use crate::error::{Error, Result};

/// An S3 storage class, written as S3 writes it (`STANDARD_IA`) by `FromStr`, `Display` and
/// serde.
///
/// ```
/// use presign::s3::storage_class::StorageClass;
/// let class: StorageClass = "GLACIER_IR".parse()?;
/// assert_eq!(class, StorageClass::GlacierIr);
/// assert_eq!(class.info().minimum_storage_days, Some(90));
/// assert_eq!(class.to_string(), "GLACIER_IR");
/// # Ok::<(), presign::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(try_from = "String")]
#[non_exhaustive]
pub enum StorageClass {
    /// `STANDARD`: frequently accessed data (the default).
    Standard,
    /// `REDUCED_REDUNDANCY`: legacy class with less redundancy than `STANDARD`.
    ReducedRedundancy,
    /// `STANDARD_IA`: infrequently accessed data, in several Availability Zones.
    StandardIa,
    /// `ONEZONE_IA`: infrequently accessed data, in one Availability Zone.
    OnezoneIa,
    /// `INTELLIGENT_TIERING`: S3 moves objects between access tiers.
    IntelligentTiering,
    /// `GLACIER`: S3 Glacier Flexible Retrieval (objects must be restored before reading).
    Glacier,
    /// `DEEP_ARCHIVE`: S3 Glacier Deep Archive (objects must be restored before reading).
    DeepArchive,
    /// `OUTPOSTS`: S3 on Outposts.
    Outposts,
    /// `GLACIER_IR`: S3 Glacier Instant Retrieval.
    GlacierIr,
    /// `SNOW`: S3 on AWS Snow Family devices.
    Snow,
    /// `EXPRESS_ONEZONE`: S3 Express One Zone (directory buckets only).
    ExpressOnezone,
    /// `FSX_OPENZFS`: objects held in Amazon FSx for OpenZFS.
    FsxOpenzfs,
    /// `FSX_ONTAP`: objects held in Amazon FSx for NetApp ONTAP.
    FsxOntap,
    /// `AWS_BACKUP_WARM`: objects held in AWS Backup's warm tier.
    AwsBackupWarm,
    /// `AWS_BACKUP_LOW_COST_WARM`: objects held in AWS Backup's low-cost warm tier.
    AwsBackupLowCostWarm,
}

/// What a storage class is for and what it costs, for display and for choosing one.
///
/// Money is in US dollars as the seed plan quotes it (us-east-1 list prices at the time it was
/// written); `None` means the plan gives no figure.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StorageClassInfo {
    /// Marketing name, e.g. `S3 Standard-IA`.
    pub name: &'static str,
    /// One-line description.
    pub description: &'static str,
    /// Storage price per GB-month.
    pub cost_per_gb_month: Option<f64>,
    /// Retrieval price per GB read.
    pub retrieval_cost_per_gb: Option<f64>,
    /// Minimum number of days an object is billed for.
    pub minimum_storage_days: Option<u32>,
    /// How long a read (or restore) takes, in words.
    pub retrieval_time: Option<&'static str>,
    /// What the class suits.
    pub use_case: &'static str,
}

impl StorageClass {
    /// Every storage class of the S3 API (s3-spec §7), in the service model's order.
    pub const ALL: &'static [StorageClass] = &[
        StorageClass::Standard,
        StorageClass::ReducedRedundancy,
        StorageClass::StandardIa,
        StorageClass::OnezoneIa,
        StorageClass::IntelligentTiering,
        StorageClass::Glacier,
        StorageClass::DeepArchive,
        StorageClass::Outposts,
        StorageClass::GlacierIr,
        StorageClass::Snow,
        StorageClass::ExpressOnezone,
        StorageClass::FsxOpenzfs,
        StorageClass::FsxOntap,
        StorageClass::AwsBackupWarm,
        StorageClass::AwsBackupLowCostWarm,
    ];

    /// The value S3 uses in `x-amz-storage-class` and in listings.
    pub const fn as_str(self) -> &'static str {
        match self {
            StorageClass::Standard => "STANDARD",
            StorageClass::ReducedRedundancy => "REDUCED_REDUNDANCY",
            StorageClass::StandardIa => "STANDARD_IA",
            StorageClass::OnezoneIa => "ONEZONE_IA",
            StorageClass::IntelligentTiering => "INTELLIGENT_TIERING",
            StorageClass::Glacier => "GLACIER",
            StorageClass::DeepArchive => "DEEP_ARCHIVE",
            StorageClass::Outposts => "OUTPOSTS",
            StorageClass::GlacierIr => "GLACIER_IR",
            StorageClass::Snow => "SNOW",
            StorageClass::ExpressOnezone => "EXPRESS_ONEZONE",
            StorageClass::FsxOpenzfs => "FSX_OPENZFS",
            StorageClass::FsxOntap => "FSX_ONTAP",
            StorageClass::AwsBackupWarm => "AWS_BACKUP_WARM",
            StorageClass::AwsBackupLowCostWarm => "AWS_BACKUP_LOW_COST_WARM",
        }
    }

    /// Name, description, prices and retrieval facts of the class.
    ///
    /// ```
    /// use presign::s3::storage_class::StorageClass;
    /// let info = StorageClass::DeepArchive.info();
    /// assert_eq!(info.name, "S3 Glacier Deep Archive");
    /// assert_eq!(info.retrieval_time, Some("12 hours"));
    /// assert_eq!(StorageClass::Snow.info().cost_per_gb_month, None);
    /// ```
    pub fn info(self) -> &'static StorageClassInfo {
        match self {
            StorageClass::Standard => &STANDARD,
            StorageClass::ReducedRedundancy => &REDUCED_REDUNDANCY,
            StorageClass::StandardIa => &STANDARD_IA,
            StorageClass::OnezoneIa => &ONEZONE_IA,
            StorageClass::IntelligentTiering => &INTELLIGENT_TIERING,
            StorageClass::Glacier => &GLACIER,
            StorageClass::DeepArchive => &DEEP_ARCHIVE,
            StorageClass::Outposts => &OUTPOSTS,
            StorageClass::GlacierIr => &GLACIER_IR,
            StorageClass::Snow => &SNOW,
            StorageClass::ExpressOnezone => &EXPRESS_ONEZONE,
            StorageClass::FsxOpenzfs => &FSX_OPENZFS,
            StorageClass::FsxOntap => &FSX_ONTAP,
            StorageClass::AwsBackupWarm => &AWS_BACKUP_WARM,
            StorageClass::AwsBackupLowCostWarm => &AWS_BACKUP_LOW_COST_WARM,
        }
    }
}

/// A class the seed plan does not price: only words, no figures.
const fn unpriced(name: &'static str, description: &'static str, use_case: &'static str) -> StorageClassInfo {
    StorageClassInfo {
        name,
        description,
        cost_per_gb_month: None,
        retrieval_cost_per_gb: None,
        minimum_storage_days: None,
        retrieval_time: None,
        use_case,
    }
}

const STANDARD: StorageClassInfo = StorageClassInfo {
    name: "S3 Standard",
    description: "General purpose (frequently accessed data)",
    cost_per_gb_month: Some(0.023),
    retrieval_cost_per_gb: Some(0.0),
    minimum_storage_days: Some(0),
    retrieval_time: None,
    use_case: "Hot data, frequently accessed",
};

const STANDARD_IA: StorageClassInfo = StorageClassInfo {
    name: "S3 Standard-IA",
    description: "Infrequent access (long-lived, less frequently accessed)",
    cost_per_gb_month: Some(0.0125),
    retrieval_cost_per_gb: Some(0.01),
    minimum_storage_days: Some(30),
    retrieval_time: None,
    use_case: "Backups, disaster recovery",
};

const ONEZONE_IA: StorageClassInfo = StorageClassInfo {
    name: "S3 One Zone-IA",
    description: "Infrequent access (single AZ, 20% cheaper than Standard-IA)",
    cost_per_gb_month: Some(0.01),
    retrieval_cost_per_gb: Some(0.01),
    minimum_storage_days: Some(30),
    retrieval_time: None,
    use_case: "Secondary backups, reproducible data",
};

const GLACIER_IR: StorageClassInfo = StorageClassInfo {
    name: "S3 Glacier Instant Retrieval",
    description: "Archive with instant retrieval (rarely accessed)",
    cost_per_gb_month: Some(0.004),
    retrieval_cost_per_gb: Some(0.03),
    minimum_storage_days: Some(90),
    retrieval_time: None,
    use_case: "Medical images, news archives (quarterly access)",
};

const GLACIER: StorageClassInfo = StorageClassInfo {
    name: "S3 Glacier Flexible Retrieval",
    description: "Archive with minutes-hours retrieval",
    cost_per_gb_month: Some(0.0036),
    retrieval_cost_per_gb: Some(0.02),
    minimum_storage_days: Some(90),
    retrieval_time: Some("1-5 minutes to 3-5 hours"),
    use_case: "Long-term backups (1-2x per year access)",
};

const DEEP_ARCHIVE: StorageClassInfo = StorageClassInfo {
    name: "S3 Glacier Deep Archive",
    description: "Lowest cost archive (12-hour retrieval)",
    cost_per_gb_month: Some(0.00099),
    retrieval_cost_per_gb: Some(0.02),
    minimum_storage_days: Some(180),
    retrieval_time: Some("12 hours"),
    use_case: "Compliance archives (7-10 year retention)",
};

/// The plan's $0.023 is the storage price of the frequent tier; it notes a $0.0025 monitoring
/// fee on top, which has no field here.
const INTELLIGENT_TIERING: StorageClassInfo = StorageClassInfo {
    name: "S3 Intelligent-Tiering",
    description: "Automatic cost optimization (moves data between tiers)",
    cost_per_gb_month: Some(0.023),
    retrieval_cost_per_gb: Some(0.0),
    minimum_storage_days: Some(0),
    retrieval_time: None,
    use_case: "Unknown or changing access patterns",
};

const REDUCED_REDUNDANCY: StorageClassInfo = unpriced(
    "S3 Reduced Redundancy",
    "Legacy class storing fewer copies than S3 Standard",
    "Legacy only: reproducible, non-critical data (prefer S3 Standard)",
);

const OUTPOSTS: StorageClassInfo =
    unpriced("S3 on Outposts", "Object storage on an AWS Outposts rack on premises", "Data that must stay on premises");

const SNOW: StorageClassInfo =
    unpriced("S3 on Snow", "Object storage on AWS Snow Family devices", "Edge sites and disconnected environments");

const EXPRESS_ONEZONE: StorageClassInfo = unpriced(
    "S3 Express One Zone",
    "Low-latency storage in one Availability Zone (directory buckets only)",
    "Latency-sensitive, frequently accessed data next to its compute",
);

const FSX_OPENZFS: StorageClassInfo = unpriced(
    "Amazon FSx for OpenZFS",
    "Objects held in an Amazon FSx for OpenZFS file system",
    "S3 API access to file system data",
);

const FSX_ONTAP: StorageClassInfo = unpriced(
    "Amazon FSx for NetApp ONTAP",
    "Objects held in an Amazon FSx for NetApp ONTAP file system",
    "S3 API access to file system data",
);

const AWS_BACKUP_WARM: StorageClassInfo = unpriced(
    "AWS Backup warm storage",
    "Objects held in AWS Backup's warm storage tier",
    "Backup data managed by AWS Backup",
);

const AWS_BACKUP_LOW_COST_WARM: StorageClassInfo = unpriced(
    "AWS Backup low-cost warm storage",
    "Objects held in AWS Backup's low-cost warm storage tier",
    "Backup data managed by AWS Backup",
);

/// The seed plan's own names for three classes, which S3 does not accept.
const PLAN_ALIASES: [(&str, StorageClass); 3] = [
    ("GLACIER_INSTANT_RETRIEVAL", StorageClass::GlacierIr),
    ("GLACIER_FLEXIBLE_RETRIEVAL", StorageClass::Glacier),
    ("GLACIER_DEEP_ARCHIVE", StorageClass::DeepArchive),
];

impl FromStr for StorageClass {
    type Err = Error;

    /// Parses an S3 storage class value exactly (`STANDARD_IA`, not `standard_ia`).
    fn from_str(value: &str) -> Result<StorageClass> {
        StorageClass::ALL.iter().copied().find(|class| class.as_str() == value).ok_or_else(|| unknown_class(value))
    }
}

/// The error for an unknown value: names the S3 value when `value` is the seed plan's alias
/// or differs only in case, and always lists the valid values.
fn unknown_class(value: &str) -> Error {
    let near = PLAN_ALIASES
        .iter()
        .find(|(alias, _)| alias.eq_ignore_ascii_case(value))
        .map(|(_, class)| *class)
        .or_else(|| StorageClass::ALL.iter().copied().find(|class| class.as_str().eq_ignore_ascii_case(value)));
    let valid = StorageClass::ALL.iter().map(|class| class.as_str()).collect::<Vec<_>>().join(", ");
    let reason = match near {
        Some(class) => format!("S3 calls this {class}; valid values: {valid}"),
        None => format!("not an S3 storage class; valid values: {valid}"),
    };
    Error::InvalidStorageClass { value: value.into(), reason: reason.into() }
}

impl TryFrom<String> for StorageClass {
    type Error = Error;

    fn try_from(value: String) -> Result<StorageClass> {
        value.parse()
    }
}

impl fmt::Display for StorageClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for StorageClass {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// s3-spec §7: the service model's `StorageClass` values, in its order.
    const SPEC_VALUES: [&str; 15] = [
        "STANDARD",
        "REDUCED_REDUNDANCY",
        "STANDARD_IA",
        "ONEZONE_IA",
        "INTELLIGENT_TIERING",
        "GLACIER",
        "DEEP_ARCHIVE",
        "OUTPOSTS",
        "GLACIER_IR",
        "SNOW",
        "EXPRESS_ONEZONE",
        "FSX_OPENZFS",
        "FSX_ONTAP",
        "AWS_BACKUP_WARM",
        "AWS_BACKUP_LOW_COST_WARM",
    ];

    /// Fails to compile when a variant is added, so `ALL` is revisited with it.
    fn position(class: StorageClass) -> usize {
        match class {
            StorageClass::Standard => 0,
            StorageClass::ReducedRedundancy => 1,
            StorageClass::StandardIa => 2,
            StorageClass::OnezoneIa => 3,
            StorageClass::IntelligentTiering => 4,
            StorageClass::Glacier => 5,
            StorageClass::DeepArchive => 6,
            StorageClass::Outposts => 7,
            StorageClass::GlacierIr => 8,
            StorageClass::Snow => 9,
            StorageClass::ExpressOnezone => 10,
            StorageClass::FsxOpenzfs => 11,
            StorageClass::FsxOntap => 12,
            StorageClass::AwsBackupWarm => 13,
            StorageClass::AwsBackupLowCostWarm => 14,
        }
    }

    #[test]
    fn all_lists_the_fifteen_spec_values_once() {
        let values: Vec<&str> = StorageClass::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(values, SPEC_VALUES);
        for (i, class) in StorageClass::ALL.iter().enumerate() {
            assert_eq!(position(*class), i);
        }
    }

    #[test]
    fn values_round_trip_through_from_str_display_and_serde() {
        for class in StorageClass::ALL {
            assert_eq!(class.as_str().parse::<StorageClass>().as_ref(), Ok(class));
            assert_eq!(class.to_string(), class.as_str());
            let json = serde_json::to_string(class).unwrap();
            assert_eq!(json, format!("\"{}\"", class.as_str()));
            assert_eq!(serde_json::from_str::<StorageClass>(&json).unwrap(), *class);
        }
    }

    #[test]
    fn unknown_values_are_refused_with_the_valid_list() {
        for bad in ["", "standard", "GLACIER_INSTANT_RETRIEVAL", "COLD", "STANDARD "] {
            let err = bad.parse::<StorageClass>().unwrap_err();
            assert_eq!(err.code(), "INVALID_STORAGE_CLASS");
            let message = err.to_string();
            assert!(SPEC_VALUES.iter().all(|v| message.contains(v)), "{message}");
        }
        let alias = "GLACIER_INSTANT_RETRIEVAL".parse::<StorageClass>().unwrap_err().to_string();
        assert!(alias.contains("S3 calls this GLACIER_IR"), "{alias}");
        let case = "standard_ia".parse::<StorageClass>().unwrap_err().to_string();
        assert!(case.contains("S3 calls this STANDARD_IA"), "{case}");
        assert!(serde_json::from_str::<StorageClass>("\"COLD\"").is_err());
    }

    #[test]
    fn seed_plan_metadata_is_kept() {
        // seed-plan.md `S3_STORAGE_CLASSES`: (costPerGB, retrievalCost, minStorageDuration).
        let plan = [
            (StorageClass::Standard, "S3 Standard", 0.023, 0.0, 0),
            (StorageClass::StandardIa, "S3 Standard-IA", 0.0125, 0.01, 30),
            (StorageClass::OnezoneIa, "S3 One Zone-IA", 0.01, 0.01, 30),
            (StorageClass::GlacierIr, "S3 Glacier Instant Retrieval", 0.004, 0.03, 90),
            (StorageClass::Glacier, "S3 Glacier Flexible Retrieval", 0.0036, 0.02, 90),
            (StorageClass::DeepArchive, "S3 Glacier Deep Archive", 0.00099, 0.02, 180),
            (StorageClass::IntelligentTiering, "S3 Intelligent-Tiering", 0.023, 0.0, 0),
        ];
        for (class, name, cost, retrieval, days) in plan {
            let info = class.info();
            assert_eq!(info.name, name);
            assert_eq!(info.cost_per_gb_month, Some(cost));
            assert_eq!(info.retrieval_cost_per_gb, Some(retrieval));
            assert_eq!(info.minimum_storage_days, Some(days));
        }
        assert_eq!(StorageClass::Glacier.info().retrieval_time, Some("1-5 minutes to 3-5 hours"));
    }

    #[test]
    fn classes_the_plan_does_not_price_have_no_figures() {
        let priced = StorageClass::ALL.iter().filter(|c| c.info().cost_per_gb_month.is_some()).count();
        assert_eq!(priced, 7);
        for class in StorageClass::ALL {
            let info = class.info();
            assert!(!info.name.is_empty() && !info.description.is_empty() && !info.use_case.is_empty());
            if info.cost_per_gb_month.is_none() {
                assert_eq!(
                    (info.retrieval_cost_per_gb, info.minimum_storage_days, info.retrieval_time),
                    (None, None, None)
                );
            }
        }
    }

    #[test]
    fn info_serializes_in_camel_case() {
        let json = serde_json::to_value(StorageClass::StandardIa.info()).unwrap();
        assert_eq!(json["costPerGbMonth"], 0.0125);
        assert_eq!(json["minimumStorageDays"], 30);
        assert!(json["retrievalTime"].is_null());
    }
}
