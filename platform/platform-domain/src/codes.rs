//! Canonical codes. Inside gateledger every coded value is one of these enums; each export
//! format and each regulator adapter maps them to its own code table at the edge, never the
//! other way round (research: plate colours alone have three incompatible numeric tables).
//!
//! Every enum has:
//! - `as_str()`: a stable lowercase ASCII identifier, used by serde, the database and the
//!   ledger chain's canonical bytes. **Never change one**: stored chains would stop verifying.
//! - `label_zh()` / `label_en()`: what people read.
//! - `ALL`: every variant, in display order.
//!
//! Enums with a code in the 2020 ledger tables also have `ledger_code()`.

#[cfg(test)]
use std::{fmt, str::FromStr};

#[cfg(test)]
use serde::Serialize;

/// A value that is not one of an enum's identifiers.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} code: {value:?}")]
pub struct UnknownCode {
    /// Which enum was being parsed.
    pub kind: &'static str,
    /// The text that did not match.
    pub value: String,
}

macro_rules! code_enum {
    (
        $(#[$meta:meta])*
        $name:ident ($kind:literal) {
            $( $(#[$vmeta:meta])* $variant:ident = $id:literal, $zh:literal, $en:literal; )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every variant, in display order.
            pub const ALL: &'static [Self] = &[ $( Self::$variant, )+ ];

            /// The stable identifier (serde, storage, canonical bytes).
            pub const fn as_str(self) -> &'static str {
                match self { $( Self::$variant => $id, )+ }
            }

            /// The zh-CN label.
            pub const fn label_zh(self) -> &'static str {
                match self { $( Self::$variant => $zh, )+ }
            }

            /// The English label.
            pub const fn label_en(self) -> &'static str {
                match self { $( Self::$variant => $en, )+ }
            }

            /// The label in `lang` (`"en"` for English, anything else for zh-CN).
            pub fn label(self, lang: &str) -> &'static str {
                if lang.starts_with("en") { self.label_en() } else { self.label_zh() }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::codes::UnknownCode;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $( $id => Ok(Self::$variant), )+
                    _ => Err($crate::codes::UnknownCode { kind: $kind, value: s.to_owned() }),
                }
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let s = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(deserializer)?;
                s.parse().map_err(<D::Error as ::serde::de::Error>::custom)
            }
        }
    };
}

// Other modules declare their coded enums (reason codes, error codes, resources, …) with the
// same macro, so every stable identifier in the crate behaves the same way.
pub(crate) use code_enum;

code_enum! {
    /// Plate colour (号牌颜色). Heavy trucks carry yellow plates; large new-energy trucks
    /// yellow-green; small new-energy vehicles gradient green.
    PlateColour ("plate colour") {
        Blue = "blue", "蓝色", "blue";
        Yellow = "yellow", "黄色", "yellow";
        Black = "black", "黑色", "black";
        White = "white", "白色", "white";
        /// 渐变绿: small new-energy vehicles.
        GradientGreen = "gradient_green", "渐变绿色", "gradient green";
        /// 黄绿双拼: large new-energy vehicles.
        YellowGreen = "yellow_green", "黄绿双拼色", "yellow-green";
        Other = "other", "其他", "other";
    }
}

code_enum! {
    /// Emission stage (排放阶段). Road vehicles: 国0–国6 (国六 also as 6a / 6b), electric, and
    /// "no stage" for machinery without one; non-road machinery: 国一–国四 (GB 20891).
    EmissionStage ("emission stage") {
        Cn0 = "cn0", "国零", "China 0";
        Cn1 = "cn1", "国一", "China 1";
        Cn2 = "cn2", "国二", "China 2";
        Cn3 = "cn3", "国三", "China 3";
        Cn4 = "cn4", "国四", "China 4";
        Cn5 = "cn5", "国五", "China 5";
        /// 国六 where a/b is not known.
        Cn6 = "cn6", "国六", "China 6";
        Cn6a = "cn6a", "国六a", "China 6a";
        Cn6b = "cn6b", "国六b", "China 6b";
        /// 电动: battery electric, ledger code `D`.
        Electric = "electric", "电动", "electric";
        /// No emission stage (machinery), ledger code `X`.
        Unstaged = "unstaged", "无排放阶段", "no stage";
        /// Non-road machinery 国一 (GB 20891-2007).
        Nr1 = "nr1", "非道路国一", "Non-road China I";
        /// Non-road machinery 国二 (GB 20891-2007).
        Nr2 = "nr2", "非道路国二", "Non-road China II";
        /// Non-road machinery 国三 (GB 20891-2014).
        Nr3 = "nr3", "非道路国三", "Non-road China III";
        /// Non-road machinery 国四 (GB 20891-2014, HJ 1014-2020).
        Nr4 = "nr4", "非道路国四", "Non-road China IV";
    }
}

impl EmissionStage {
    /// The one-character code of the 2020 ledger tables: `0`–`6`, `D` (electric), `X` (none).
    /// 国六a and 国六b are both `6`; non-road 国一–国四 are `1`–`4`.
    pub const fn ledger_code(self) -> char {
        match self {
            Self::Cn0 => '0',
            Self::Cn1 | Self::Nr1 => '1',
            Self::Cn2 | Self::Nr2 => '2',
            Self::Cn3 | Self::Nr3 => '3',
            Self::Cn4 | Self::Nr4 => '4',
            Self::Cn5 => '5',
            Self::Cn6 | Self::Cn6a | Self::Cn6b => '6',
            Self::Electric => 'D',
            Self::Unstaged => 'X',
        }
    }

    /// Whether this is a non-road machinery stage (GB 20891).
    pub const fn is_non_road(self) -> bool {
        matches!(self, Self::Nr1 | Self::Nr2 | Self::Nr3 | Self::Nr4)
    }

    /// The stage's place on one comparison scale, as a (lowest, highest) pair.
    ///
    /// - No stage is below 国0; electric is above every stage.
    /// - Road and non-road stages compare by their numeral, because the 2020 ledger tables
    ///   record both with the same digit (a machine registered as "3" is 国三 either way).
    /// - 国六 with a/b unknown spans both: it counts as 6a when a rule asks for a minimum
    ///   and as possibly 6b when a rule bans "6a and below". Unknown detail never helps a
    ///   vehicle past a rule.
    const fn bounds(self) -> (u8, u8) {
        match self {
            Self::Unstaged => (0, 0),
            Self::Cn0 => (10, 10),
            Self::Cn1 | Self::Nr1 => (20, 20),
            Self::Cn2 | Self::Nr2 => (30, 30),
            Self::Cn3 | Self::Nr3 => (40, 40),
            Self::Cn4 | Self::Nr4 => (50, 50),
            Self::Cn5 => (60, 60),
            Self::Cn6 => (70, 71),
            Self::Cn6a => (70, 70),
            Self::Cn6b => (71, 71),
            Self::Electric => (u8::MAX, u8::MAX),
        }
    }

    /// Whether this stage certainly meets `minimum` ("国五及以上" is
    /// `stage.is_at_least(Cn5)`). 国六 with a/b unknown does not meet a 6b minimum.
    pub const fn is_at_least(self, minimum: Self) -> bool {
        self.bounds().0 >= minimum.bounds().0
    }

    /// Whether this stage may fall under a ban of `maximum` and below ("国四及以下" is
    /// `stage.is_at_most(Cn4)`). 国六 with a/b unknown falls under a "6a and below" ban, and
    /// a vehicle without a stage falls under every ban.
    pub const fn is_at_most(self, maximum: Self) -> bool {
        self.bounds().0 <= maximum.bounds().1
    }
}

code_enum! {
    /// Fuel type (燃料类型). Rules key on (fuel, stage): gas trucks can be banned one stage
    /// higher than diesel (measure code 3).
    Fuel ("fuel") {
        Diesel = "diesel", "柴油", "diesel";
        Gasoline = "gasoline", "汽油", "gasoline";
        /// 燃气: CNG or LNG.
        Gas = "gas", "燃气（CNG/LNG）", "gas (CNG/LNG)";
        Electric = "electric", "纯电动", "battery electric";
        Hybrid = "hybrid", "混合动力", "hybrid";
        Hydrogen = "hydrogen", "氢燃料", "hydrogen";
        Other = "other", "其他", "other";
    }
}

impl Fuel {
    /// New-energy vehicles (新能源): battery electric, hybrid and hydrogen.
    pub const fn is_new_energy(self) -> bool {
        matches!(self, Self::Electric | Self::Hybrid | Self::Hydrogen)
    }
}

code_enum! {
    /// Vehicle or machine class (车辆类型 / 机械种类).
    VehicleClass ("vehicle class") {
        HeavyTruck = "heavy_truck", "重型货车", "heavy truck";
        MediumTruck = "medium_truck", "中型货车", "medium truck";
        LightTruck = "light_truck", "轻型货车", "light truck";
        /// 牵引车: semi-trailer tractor.
        Tractor = "tractor", "牵引车", "tractor";
        /// 挂车: trailer, plate ending in 挂.
        Trailer = "trailer", "挂车", "trailer";
        /// 厂内运输车辆 without a more specific class.
        InPlantVehicle = "in_plant_vehicle", "厂内运输车辆", "in-plant vehicle";
        Excavator = "excavator", "挖掘机", "excavator";
        Loader = "loader", "装载机", "loader";
        Forklift = "forklift", "叉车", "forklift";
        Crane = "crane", "起重机", "crane";
        Bulldozer = "bulldozer", "推土机", "bulldozer";
        Roller = "roller", "压路机", "roller";
        Paver = "paver", "摊铺机", "paver";
        Grader = "grader", "平地机", "grader";
        PileMachine = "pile_machine", "桩工机械", "piling machine";
        /// 场内牵引车/拖车 and other machinery.
        OtherMachinery = "other_machinery", "其他非道路移动机械", "other machinery";
        Other = "other", "其他", "other";
    }
}

impl VehicleClass {
    /// Road trucks that the heavy-truck rules (重型柴油/燃气车) apply to.
    pub const fn is_heavy_road(self) -> bool {
        matches!(self, Self::HeavyTruck | Self::Tractor | Self::Trailer)
    }

    /// Non-road mobile machinery (非道路移动机械).
    pub const fn is_machinery(self) -> bool {
        matches!(
            self,
            Self::Excavator
                | Self::Loader
                | Self::Forklift
                | Self::Crane
                | Self::Bulldozer
                | Self::Roller
                | Self::Paver
                | Self::Grader
                | Self::PileMachine
                | Self::OtherMachinery
        )
    }
}

code_enum! {
    /// Transport use (运输用途).
    TransportUse ("transport use") {
        RawMaterial = "raw_material", "原辅材料运输", "raw material";
        Product = "product", "产品运输", "product";
        InPlant = "in_plant", "厂内运输", "in-plant";
    }
}

code_enum! {
    /// Direction of a passage (进出厂状态).
    Direction ("direction") {
        Entry = "entry", "进厂", "entry";
        Exit = "exit", "出厂", "exit";
    }
}

code_enum! {
    /// The three ledgers every key enterprise keeps (电子台账, 2020 guide 表3–表5).
    LedgerKind ("ledger kind") {
        /// 表3 进出厂运输车辆.
        ExternalTransport = "external_transport", "进出厂运输车辆", "external transport vehicles";
        /// 表4 厂内运输车辆.
        InPlant = "in_plant", "厂内运输车辆", "in-plant vehicles";
        /// 表5 非道路移动机械.
        NonRoad = "non_road", "非道路移动机械", "non-road mobile machinery";
    }
}

code_enum! {
    /// Enterprise performance rating (绩效分级), 环办大气函〔2020〕340号.
    EnterpriseRating ("enterprise rating") {
        A = "a", "A级", "A";
        B = "b", "B级", "B";
        BMinus = "b_minus", "B-级", "B-";
        C = "c", "C级", "C";
        D = "d", "D级", "D";
        /// 引领性: the benchmark level of industries without an A level.
        Leading = "leading", "引领性", "leading";
    }
}

code_enum! {
    /// Industry (行业) of the 2020 rating guide's key industries.
    Industry ("industry") {
        Steel = "steel", "钢铁", "steel";
        Coking = "coking", "焦化", "coking";
        Cement = "cement", "水泥", "cement";
        Alumina = "alumina", "氧化铝", "alumina";
        ElectrolyticAluminium = "electrolytic_aluminium", "电解铝", "electrolytic aluminium";
        Carbon = "carbon", "炭素", "carbon";
        CopperSmelting = "copper_smelting", "铜冶炼", "copper smelting";
        LeadZincSmelting = "lead_zinc_smelting", "铅锌冶炼", "lead and zinc smelting";
        MolybdenumSmelting = "molybdenum_smelting", "钼冶炼", "molybdenum smelting";
        LimeKiln = "lime_kiln", "石灰窑", "lime kilns";
        Ferroalloy = "ferroalloy", "铁合金", "ferroalloys";
        Foundry = "foundry", "铸造", "foundry";
        SecondaryNonFerrous = "secondary_non_ferrous", "再生铜铝铅锌", "secondary copper, aluminium, lead and zinc";
        NonFerrousRolling = "non_ferrous_rolling", "有色金属压延", "non-ferrous rolling";
        Ceramics = "ceramics", "陶瓷", "ceramics";
        Refractory = "refractory", "耐火材料", "refractories";
        RockWool = "rock_wool", "岩棉", "rock wool";
        Glass = "glass", "玻璃", "glass";
        BrickKiln = "brick_kiln", "砖瓦窑", "brick and tile kilns";
        Frp = "frp", "玻璃钢", "fibre-reinforced plastics";
        Cellulose = "cellulose", "纤维素", "cellulose";
        Waterproofing = "waterproofing", "建筑防水材料", "waterproofing materials";
        Pharmaceutical = "pharmaceutical", "制药", "pharmaceuticals";
        Pesticide = "pesticide", "农药", "pesticides";
        Coatings = "coatings", "涂料", "coatings";
        Ink = "ink", "油墨", "ink";
        AutoManufacturing = "auto_manufacturing", "汽车制造", "automobile manufacturing";
        ConstructionMachinery = "construction_machinery", "工程机械制造", "construction machinery";
        IndustrialPainting = "industrial_painting", "工业涂装", "industrial painting";
        Petrochemical = "petrochemical", "炼油与石化", "refining and petrochemicals";
        CarbonBlack = "carbon_black", "炭黑", "carbon black";
        CoalNitrogenFertiliser = "coal_nitrogen_fertiliser", "煤制氮肥", "coal-based nitrogen fertiliser";
        Furniture = "furniture", "家具", "furniture";
        PackagingPrinting = "packaging_printing", "包装印刷", "packaging and printing";
        WoodPanels = "wood_panels", "人造板", "wood-based panels";
        SyntheticLeather = "synthetic_leather", "塑料人造革与合成革", "plastic and synthetic leather";
        Rubber = "rubber", "橡胶制品", "rubber products";
        LeatherFootwear = "leather_footwear", "皮革制品和制鞋", "leather and footwear";
        Other = "other", "其他行业", "other";
    }
}

code_enum! {
    /// Heavy-pollution alert level (重污染天气预警等级).
    AlertLevel ("alert level") {
        None = "none", "无预警", "no alert";
        Yellow = "yellow", "黄色预警", "yellow alert";
        Orange = "orange", "橙色预警", "orange alert";
        Red = "red", "红色预警", "red alert";
    }
}

code_enum! {
    /// Emergency control measures (管控措施) as regulator platforms push them (domain §5.3).
    MeasureCode ("measure code") {
        /// 1: 禁行国三及以下重型柴油（燃气）车.
        BanCn3HeavyDieselGas = "ban_cn3_heavy", "禁行国三及以下重型柴油（燃气）车", "ban China 3 and older heavy diesel and gas trucks";
        /// 2: 禁行国四及以下重型柴油（燃气）车.
        BanCn4HeavyDieselGas = "ban_cn4_heavy", "禁行国四及以下重型柴油（燃气）车", "ban China 4 and older heavy diesel and gas trucks";
        /// 3: 禁行国四及以下重型柴油与国五及以下燃气车.
        BanCn4DieselCn5Gas = "ban_cn4_diesel_cn5_gas", "禁行国四及以下重型柴油与国五及以下燃气车", "ban China 4 and older heavy diesel and China 5 and older gas trucks";
        /// 4: 停止公路运输.
        StopRoadTransport = "stop_road_transport", "停止公路运输", "stop all road transport";
    }
}

impl MeasureCode {
    /// The numeric code regulator platforms use (1–4).
    pub const fn number(self) -> u8 {
        match self {
            Self::BanCn3HeavyDieselGas => 1,
            Self::BanCn4HeavyDieselGas => 2,
            Self::BanCn4DieselCn5Gas => 3,
            Self::StopRoadTransport => 4,
        }
    }

    /// The measure with regulator code `n` (1–4).
    pub fn from_number(n: u8) -> Option<Self> {
        Self::ALL.iter().copied().find(|m| m.number() == n)
    }
}

code_enum! {
    /// Cargo unit (货物单位).
    CargoUnit ("cargo unit") {
        Tonne = "t", "吨", "t";
        Litre = "l", "升", "L";
        Package = "pkg", "包", "packages";
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identifiers_are_unique_and_round_trip<T>(all: &[T])
    where
        T: Copy + fmt::Display + FromStr + PartialEq + fmt::Debug + Serialize,
        <T as FromStr>::Err: fmt::Debug,
    {
        let mut seen = std::collections::HashSet::new();
        for v in all {
            let id = v.to_string();
            assert!(seen.insert(id.clone()), "duplicate identifier {id}");
            assert!(id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'));
            assert_eq!(id.parse::<T>().unwrap(), *v);
            assert_eq!(serde_json::to_string(v).unwrap(), format!("\"{id}\""));
        }
    }

    #[test]
    fn every_enum_round_trips() {
        identifiers_are_unique_and_round_trip(PlateColour::ALL);
        identifiers_are_unique_and_round_trip(EmissionStage::ALL);
        identifiers_are_unique_and_round_trip(Fuel::ALL);
        identifiers_are_unique_and_round_trip(VehicleClass::ALL);
        identifiers_are_unique_and_round_trip(TransportUse::ALL);
        identifiers_are_unique_and_round_trip(Direction::ALL);
        identifiers_are_unique_and_round_trip(LedgerKind::ALL);
        identifiers_are_unique_and_round_trip(EnterpriseRating::ALL);
        identifiers_are_unique_and_round_trip(Industry::ALL);
        identifiers_are_unique_and_round_trip(AlertLevel::ALL);
        identifiers_are_unique_and_round_trip(MeasureCode::ALL);
        identifiers_are_unique_and_round_trip(CargoUnit::ALL);
    }

    #[test]
    fn stage_ledger_codes_follow_the_2020_tables() {
        let codes: String = [
            EmissionStage::Cn0,
            EmissionStage::Cn3,
            EmissionStage::Cn5,
            EmissionStage::Cn6b,
            EmissionStage::Electric,
            EmissionStage::Unstaged,
            EmissionStage::Nr4,
        ]
        .iter()
        .map(|s| s.ledger_code())
        .collect();
        assert_eq!(codes, "0356DX4");
    }

    #[test]
    fn measure_numbers_are_1_to_4() {
        for n in 1..=4 {
            assert_eq!(MeasureCode::from_number(n).unwrap().number(), n);
        }
        assert_eq!(MeasureCode::from_number(5), None);
    }

    #[test]
    fn unknown_code_names_the_enum_and_the_value() {
        let err = "purple".parse::<PlateColour>().unwrap_err();
        assert_eq!(err.to_string(), "unknown plate colour code: \"purple\"");
        assert!(serde_json::from_str::<Fuel>("\"coal\"").is_err());
    }

    #[test]
    fn stage_comparisons_follow_the_regulations() {
        use EmissionStage as S;
        // "国五及以上": 国五, every 国六 and electric pass; 国四 and no stage do not.
        for s in [S::Cn5, S::Cn6, S::Cn6a, S::Cn6b, S::Electric] {
            assert!(s.is_at_least(S::Cn5), "{s}");
        }
        for s in [S::Unstaged, S::Cn0, S::Cn3, S::Cn4, S::Nr4] {
            assert!(!s.is_at_least(S::Cn5), "{s}");
        }
        // "国四及以下": no stage and 国0–国4 fall under it; 国五 and electric do not.
        for s in [S::Unstaged, S::Cn0, S::Cn1, S::Cn4, S::Nr2] {
            assert!(s.is_at_most(S::Cn4), "{s}");
        }
        for s in [S::Cn5, S::Cn6a, S::Electric] {
            assert!(!s.is_at_most(S::Cn4), "{s}");
        }
        // 国六 with a/b unknown: never meets a 6b minimum, always falls under a 6a ban.
        assert!(!S::Cn6.is_at_least(S::Cn6b));
        assert!(S::Cn6.is_at_least(S::Cn6a) && S::Cn6.is_at_least(S::Cn6));
        assert!(S::Cn6.is_at_most(S::Cn6a));
        assert!(S::Cn6b.is_at_most(S::Cn6) && !S::Cn6b.is_at_most(S::Cn6a));
        assert!(S::Cn6b.is_at_least(S::Cn6));
        // Non-road stages compare by numeral, as the ledger records them.
        assert!(S::Nr3.is_at_least(S::Nr3) && S::Nr4.is_at_least(S::Nr3));
        assert!(!S::Nr2.is_at_least(S::Nr3) && S::Cn3.is_at_least(S::Nr3));
        assert!(S::Electric.is_at_least(S::Nr4) && !S::Unstaged.is_at_least(S::Nr1));
    }

    #[test]
    fn at_least_and_at_most_agree_on_exact_stages() {
        // For stages without a/b ambiguity, "at least m" is exactly "not at most the stage
        // below m"; check it over every pair of exact road stages.
        use EmissionStage as S;
        let exact = [
            S::Unstaged,
            S::Cn0,
            S::Cn1,
            S::Cn2,
            S::Cn3,
            S::Cn4,
            S::Cn5,
            S::Cn6a,
            S::Cn6b,
            S::Electric,
        ];
        for (i, &min) in exact.iter().enumerate().skip(1) {
            let below = exact[i - 1];
            for &s in &exact {
                assert_eq!(s.is_at_least(min), !s.is_at_most(below), "{s} vs {min}");
            }
        }
    }

    #[test]
    fn labels_exist_in_both_languages() {
        assert_eq!(EmissionStage::Cn6b.label("zh-CN"), "国六b");
        assert_eq!(EmissionStage::Cn6b.label("en"), "China 6b");
        assert_eq!(Direction::Entry.label_zh(), "进厂");
    }
}
