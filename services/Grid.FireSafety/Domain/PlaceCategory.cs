namespace Grid.FireSafety.Domain;

/// <summary>场所/单位类别: the category of a place, which decides who supervises it.</summary>
public enum PlaceCategory
{
    /// <summary>消防安全重点单位, A 类.</summary>
    KeyUnitA,

    /// <summary>消防安全重点单位, B 类.</summary>
    KeyUnitB,

    /// <summary>消防安全重点单位, C 类.</summary>
    KeyUnitC,

    /// <summary>一般单位.</summary>
    GeneralUnit,

    /// <summary>九小场所: nine kinds of small venues (see <see cref="NineSmallKind"/>).</summary>
    NineSmall,

    /// <summary>三合一场所: living, storage and business under one roof.</summary>
    ThreeInOne,

    /// <summary>沿街门店.</summary>
    StreetShop,

    /// <summary>出租房屋.</summary>
    RentalHousing,

    /// <summary>家庭工厂/家庭作坊.</summary>
    FamilyWorkshop,
}

/// <summary>"九小"场所的种类: the nine kinds of small venues.</summary>
public enum NineSmallKind
{
    /// <summary>小学校、幼儿园.</summary>
    SmallSchool,

    /// <summary>小医院、诊所.</summary>
    SmallClinic,

    /// <summary>小商店.</summary>
    SmallShop,

    /// <summary>小餐饮场所.</summary>
    SmallRestaurant,

    /// <summary>小旅馆.</summary>
    SmallHotel,

    /// <summary>小歌舞娱乐场所.</summary>
    SmallEntertainment,

    /// <summary>小网吧.</summary>
    SmallInternetCafe,

    /// <summary>小美容洗浴场所.</summary>
    SmallBeautyBath,

    /// <summary>小生产加工企业.</summary>
    SmallWorkshop,
}

/// <summary>档案模式: one file per building, compound or unit (一楼一档/一院一档/一单位一档).</summary>
public enum FileKind
{
    /// <summary>一楼一档.</summary>
    Building,

    /// <summary>一院一档.</summary>
    Compound,

    /// <summary>一单位一档.</summary>
    Unit,
}

/// <summary>监管主体: who supervises a place.</summary>
public enum SupervisingAuthority
{
    /// <summary>公安消防大队 (today 消防救援大队).</summary>
    FireBrigade,

    /// <summary>公安派出所.</summary>
    PoliceStation,
}
