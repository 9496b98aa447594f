"""Static name data for the demo county: surnames, given-name characters, towns, posts."""

from __future__ import annotations

# (surname, pinyin, weight per thousand people), the most common Chinese surnames.
SURNAMES = (
    ("王", "wang", 71), ("李", "li", 70), ("张", "zhang", 68), ("刘", "liu", 54),
    ("陈", "chen", 45), ("杨", "yang", 31), ("黄", "huang", 21), ("赵", "zhao", 20),
    ("吴", "wu", 19), ("周", "zhou", 19), ("徐", "xu", 15), ("孙", "sun", 15),
    ("马", "ma", 13), ("朱", "zhu", 13), ("胡", "hu", 12), ("郭", "guo", 12),
    ("何", "he", 11), ("林", "lin", 11), ("高", "gao", 11), ("罗", "luo", 9),
    ("郑", "zheng", 9), ("梁", "liang", 9), ("谢", "xie", 8), ("宋", "song", 7),
    ("唐", "tang", 7), ("许", "xu", 7), ("韩", "han", 7), ("冯", "feng", 6),
    ("邓", "deng", 6), ("曹", "cao", 6), ("彭", "peng", 6), ("曾", "zeng", 6),
    ("肖", "xiao", 6), ("田", "tian", 5), ("董", "dong", 5), ("袁", "yuan", 5),
    ("潘", "pan", 5), ("于", "yu", 5), ("蒋", "jiang", 5), ("蔡", "cai", 5),
    ("余", "yu", 5), ("杜", "du", 5), ("叶", "ye", 4), ("程", "cheng", 4),
    ("苏", "su", 4), ("魏", "wei", 4), ("吕", "lv", 4), ("丁", "ding", 4),
    ("任", "ren", 4), ("沈", "shen", 4), ("姚", "yao", 4), ("卢", "lu", 4),
    ("姜", "jiang", 4), ("崔", "cui", 4), ("钟", "zhong", 3), ("谭", "tan", 3),
    ("陆", "lu", 3), ("汪", "wang", 3), ("范", "fan", 3), ("金", "jin", 3),
    ("石", "shi", 3), ("廖", "liao", 3), ("贾", "jia", 3), ("夏", "xia", 3),
    ("付", "fu", 3), ("方", "fang", 3), ("白", "bai", 3), ("邹", "zou", 3),
    ("孟", "meng", 3), ("熊", "xiong", 3), ("秦", "qin", 3), ("邱", "qiu", 3),
    ("江", "jiang", 3), ("尹", "yin", 3), ("薛", "xue", 2), ("闫", "yan", 2),
    ("段", "duan", 2), ("雷", "lei", 2), ("侯", "hou", 2), ("史", "shi", 2),
    ("陶", "tao", 2), ("贺", "he", 2), ("顾", "gu", 2), ("毛", "mao", 2),
    ("郝", "hao", 2), ("邵", "shao", 2), ("孔", "kong", 2), ("欧阳", "ouyang", 1),
)  # fmt: skip

# Given-name characters with their pinyin: (first of two, last or only), by gender.
MALE_FIRST = (
    ("建", "jian"), ("国", "guo"), ("志", "zhi"), ("文", "wen"), ("海", "hai"), ("永", "yong"),
    ("宏", "hong"), ("春", "chun"), ("学", "xue"), ("德", "de"), ("子", "zi"), ("晓", "xiao"),
    ("家", "jia"), ("嘉", "jia"), ("立", "li"), ("振", "zhen"), ("俊", "jun"), ("浩", "hao"),
    ("宇", "yu"), ("明", "ming"), ("新", "xin"), ("东", "dong"), ("庆", "qing"), ("云", "yun"),
    ("长", "chang"), ("天", "tian"), ("少", "shao"), ("卫", "wei"),
)  # fmt: skip
MALE_LAST = (
    ("伟", "wei"), ("强", "qiang"), ("磊", "lei"), ("军", "jun"), ("勇", "yong"), ("杰", "jie"),
    ("涛", "tao"), ("明", "ming"), ("超", "chao"), ("鹏", "peng"), ("斌", "bin"), ("辉", "hui"),
    ("刚", "gang"), ("华", "hua"), ("平", "ping"), ("波", "bo"), ("亮", "liang"), ("峰", "feng"),
    ("宇", "yu"), ("凯", "kai"), ("晨", "chen"), ("林", "lin"), ("兵", "bing"), ("博", "bo"),
    ("成", "cheng"), ("飞", "fei"), ("龙", "long"), ("阳", "yang"), ("健", "jian"), ("源", "yuan"),
)  # fmt: skip
FEMALE_FIRST = (
    ("晓", "xiao"), ("秀", "xiu"), ("丽", "li"), ("春", "chun"), ("雪", "xue"), ("思", "si"),
    ("佳", "jia"), ("欣", "xin"), ("雨", "yu"), ("美", "mei"), ("玉", "yu"), ("慧", "hui"),
    ("婷", "ting"), ("文", "wen"), ("海", "hai"), ("彩", "cai"), ("亚", "ya"), ("若", "ruo"),
)  # fmt: skip
FEMALE_LAST = (
    ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"), ("丽", "li"), ("艳", "yan"),
    ("娟", "juan"), ("霞", "xia"), ("燕", "yan"), ("玲", "ling"), ("婷", "ting"), ("慧", "hui"),
    ("红", "hong"), ("梅", "mei"), ("雪", "xue"), ("琳", "lin"), ("颖", "ying"), ("倩", "qian"),
    ("洁", "jie"), ("欣", "xin"), ("悦", "yue"), ("雯", "wen"), ("璐", "lu"), ("丹", "dan"),
    ("萍", "ping"), ("莉", "li"), ("晶", "jing"), ("蕾", "lei"), ("英", "ying"), ("兰", "lan"),
    ("瑶", "yao"), ("琪", "qi"), ("宁", "ning"),
)  # fmt: skip

# Towns and sub-districts of the (fictional) demo county.
TOWNS = (
    "城关街道", "东城街道", "西城街道", "凤凰镇", "青山镇", "柳河镇", "石桥镇",
    "杨庄镇", "白沙镇", "马集镇", "新店镇", "龙泉乡",
)  # fmt: skip

# Posts of members who do not occupy a leadership post, by staffing type.
POSTS = {
    "administrative": (
        ("科员", 3), ("一级科员", 4), ("四级主任科员", 4), ("三级主任科员", 3),
        ("二级主任科员", 2), ("一级主任科员", 1), ("副主任科员", 2),
    ),
    "institution": (
        ("九级职员", 3), ("八级职员", 3), ("助理工程师", 2), ("工程师", 2),
        ("高级工程师", 1), ("会计", 1), ("专业技术人员", 3),
    ),
    "logistics": (("驾驶员", 2), ("工勤技能岗", 2), ("文印员", 1)),
    "non_established": (("协管员", 2), ("劳务派遣人员", 2), ("辅助人员", 2), ("窗口受理员", 1)),
}  # fmt: skip

RETURN_REASONS = (
    "描述过于笼统，请写明具体做了什么、结果如何",
    "工时与工作内容不匹配，请核实后重新填报",
    "所选职责与工作内容不符，请重新选择职责",
    "请补充办理件数和办理结果",
)

# Description templates by task type; placeholders: n, m, town, obj, subject, month, doc, unit.
WORK_TEMPLATES = {
    "business": (
        "赴{town}开展{subject}督导检查，发现问题{m}个，已现场交办整改",
        "起草{subject}工作方案，征求相关股室意见{m}条并修改完善",
        "整理{subject}业务档案{n}卷，完成电子化录入和核对",
        "接待来访群众{n}人次，解答{subject}政策咨询，形成台账",
        "汇总{subject}相关数据，完成{month}月份统计报表报送",
        "审核{subject}相关材料{n}份，退回补正{m}份",
        "组织召开{subject}工作推进会，形成会议纪要，明确{m}项任务分工",
        "撰写{subject}工作信息{m}篇，报送县委办、县政府办",
        "参加市级{subject}业务培训，向股室传达培训要点",
        "电话回访{obj}{n}家，核实{subject}问题整改落实情况",
        "对照上级要求梳理{subject}工作台账，更新任务清单{m}项",
        "陪同市级检查组开展{subject}工作检查，准备汇报材料",
    ),
    "party": (
        "参加{unit}党支部主题党日活动，集中学习{doc}",
        "组织支部党员集中学习{doc}，撰写心得体会",
        "整理{month}月份“三会一课”会议记录{m}份，上传智慧党建平台",
        "收缴{month}月份党费，更新党员信息台账{n}人",
        "参加{month}月份党风廉政建设警示教育会，撰写观后感{m}篇",
        "筹备支部组织生活会，征集意见建议{m}条",
        "走访联系社区开展“双报到”志愿服务，参加党员{m}人",
    ),
    "finance_hr": (
        "审核报销单据{n}笔，登记会计凭证",
        "编制{month}月份财务报表，分析{m}个项目预算执行进度",
        "核对{n}人工资变动和社保缴费基数",
        "整理干部人事档案{n}卷，补充材料{m}份",
        "填报机构编制实名制信息变更{m}人",
        "开展固定资产盘点，核对资产卡片{n}张",
        "办理政府采购合同备案{m}份，跟进项目资金支付",
    ),
    "petition": (
        "受理{subject}信访件{m}件，调查核实后书面答复",
        "办理12345热线转办{subject}工单{m}件，按时回复并回访",
        "接待群众来访{m}批次，登记诉求并分流转办",
        "对{subject}投诉举报开展现场核查，约谈当事{obj}",
        "参加县信访联席会议，汇报{subject}信访积案化解进展",
    ),
    "general": (
        "起草{unit}{month}月份工作总结和下月工作计划",
        "筹备{unit}{month}月份办公会，准备议题材料{m}份并形成会议纪要",
        "办理上级来文{n}件，拟办后分送相关股室",
        "报送政务信息{m}篇，更新政府网站信息公开栏目",
        "落实县委县政府督查事项{m}项，报送进展情况",
        "整理{month}月份文书档案{n}卷，完成归档",
        "做好机关值班值守和公务接待保障，安排车辆{m}台次",
    ),
}

# Endings that say what came of the work; placeholders: k (a small count), town.
DETAILS = (
    "，涉及{town}等{k}个镇街", "，已报分管领导审阅", "，形成工作台账{k}份", "，相关资料{k}份已归档",
    "，交办问题{k}个", "，按时限报送县政府办", "，录入业务系统{k}条", "，下一步跟踪落实",
    "，整理影像资料{k}组备查", "，{k}项事项已办结", "，剩余{k}项明日继续", "，电话沟通{k}次",
    "，与{town}对接{k}次", "，形成情况报告{k}份",
)  # fmt: skip

# What a hurried member writes: a later review feature flags these.
VAGUE_DESCRIPTIONS = (
    "开会", "参加会议", "处理日常事务", "日常工作", "学习", "写材料", "整理资料",
    "协助处理相关工作", "其他工作", "调研",
)  # fmt: skip

STUDY_TOPICS = (
    "党的二十届三中全会精神",
    "习近平新时代中国特色社会主义思想",
    "《中国共产党纪律处分条例》",
    "中央八项规定精神",
    "《习近平谈治国理政》第五卷",
    "习近平总书记关于树立和践行正确政绩观的重要论述",
)
