"""Department cue words: for each of the seven department families, words that point to the
government department which usually handles a matter (公交/驾校/收费站 → 交通运输, 景区/预付卡/传销 →
商贸旅游, 物业/拆迁/维修基金 → 城乡建设 …).

Written by the project from general knowledge of which government department handles what; no
rows or phrases are taken from the training data. Words that are common in every kind of letter
(小区, 企业, 公司, 平台, 文化, 补贴, 维权, 工作人员 …) or that the boards file under different
departments (修路, 快递, 电动车, 停车 on the road vs in the estate …) are left out on purpose.

Each hit (longest match, on the normalised text) adds one `#dept:<department>` feature, used by the
department model only (training.fit, Parser.department_scores / parse); the request and category
models never see these features.
"""

from __future__ import annotations

import re

from bot.nlp.features import normalise

_CUES = {
    "城乡建设": """
        房产 房屋 购房 买房 商品房 开发商 楼盘 交房 延期交房 房产证 不动产 不动产证 产权 小产权 物业 物业费 业主 业委会
        拆迁 搬迁 征收 征地 安置 安置房 补偿款 棚改 棚户区 回迁 城中村 老旧小区 提质改造 规划 施工 工地 住建 建设局
        房管局 城管 违建 违章建筑 违章搭建 建房 宅基地 燃气 天然气 煤气 供水 自来水 停水 水压 二次供水 停电 供电 供暖
        水电 维修基金 电梯 路灯 下水道 排水 积水 管网 污水管 化粪池 井盖 窨井 公租房 廉租房 保障房 经济适用房 市政 绿化
        地下室 车位 预售 网签 按揭 烂尾 精装 房价 住宅 楼房 楼栋 楼道 外墙 渗水 漏水 装修 建筑 人行道 道路改造
        自然资源 国土 土地
    """,
    "环境保护": """
        污染 环保 环保局 环境局 生态环境 生态 环评 排污 排污口 偷排 排放 废水 污水 废气 废渣 固废 危废 渗滤液 填埋场
        臭味 异味 恶臭 刺鼻 噪音 噪声 噪声污染 扰民 粉尘 扬尘 烟尘 灰尘 油烟 烟囱 锅炉 焚烧 垃圾焚烧 秸秆 尾气 雾霾
        空气质量 光污染 辐射 重金属 土壤 水质 黑臭 死鱼 水源 饮用水源 化工厂 搅拌站 沥青 冶炼 电镀 印染 造纸厂
        养殖场 养猪场 猪场 鸡场 畜禽 采砂 采石 石场 砂石场 矿山 开矿 砍伐
    """,
    "交通运输": """
        公交 公交车 公交站 公交线路 公交卡 站台 首班 末班 发车 停靠 绕行 出租车 的士 网约车 滴滴 摩的 黑车 乘客 乘车
        车票 司机 客运 货运 客车 班车 大巴 中巴 城际 营运 营运证 运营车辆 挂靠 运价 运输 道路运输 物流 货车 大货车
        超载 超限 治超 高速 高速公路 收费站 过路费 通行费 国道 省道 县道 村道 农村公路 公路 公路局 路政 通车 驾校
        驾照 驾驶证 学车 科目二 科目三 年审 年检 车检 运管 交通局 交通运输 交通 交警 红绿灯 信号灯 斑马线 路口 拥堵
        堵车 道路安全 地铁 轨道交通 车站 汽车站 火车站 高铁 机场 航道 码头 渡口 轮渡 港口 船舶 共享单车 停车场 停车费
    """,
    "教育文体": """
        学校 学生 老师 教师 教育 教育局 幼儿园 小学 初中 中学 高中 大学 学院 职校 中专 本科 专科 研究生 师范 招生 入学
        学位 择校 划片 学区 学籍 转学 借读 义务教育 民办 公办 特岗 代课 校长 班主任 教职工 教学 课程 上课 放学 补课
        晚自习 作业 考试 中考 高考 毕业 开学 寒假 暑假 寄宿 学生宿舍 校车 校园 校服 学费 教材 课本 教辅 午托 托管
        培训机构 培训班 辅导班 课外 家长 读书 体育 体育馆 运动场 操场 足球 篮球 比赛 图书馆 书店 博物馆 文物 古迹 非遗
        文艺 演出 电影 网吧 出版 广播 电视 有线电视
    """,
    "劳动和社会保障": """
        社保 社保卡 社会保险 养老保险 医保 医疗保险 生育保险 失业 工伤 参保 缴费 补缴 断缴 五险一金 养老金 退休 退休金
        退休工资 工资 欠薪 拖欠工资 讨薪 农民工 劳动合同 劳动仲裁 仲裁 劳务派遣 劳动局 人社 人社局 人力资源 用人单位
        劳动者 员工 职工 临时工 合同工 聘用 试用期 辞退 解聘 开除 加班 加班费 薪酬 绩效 年金 工龄 买断工龄 下岗 改制
        破产 经济补偿 待遇 福利 津贴 就业 招聘 公益性岗位 人事 编制 职称 事业单位 公务员 低保 特困 五保 孤儿 困难补助
        救助 民政 养老院 敬老院 高龄补贴 残疾 残疾人 残联 伤残 优抚 抚恤金 遗属 退役军人 退伍 老兵 军人 复员 转业
        扶贫 精准扶贫 贫困户
    """,
    "商贸旅游": """
        旅游 旅行社 导游 游客 景区 景点 门票 古镇 农家乐 旅游节 酒店 宾馆 民宿 商场 超市 商店 商铺 门面 步行街 商户
        商家 卖家 厂家 经销商 品牌 消费者 消费 购物 网购 电商 外卖 团购 促销 特价 打折 售后 三包 价格 涨价 物价
        欺诈 虚假宣传 霸王条款 假货 假冒 伪劣 过期 食品 食品安全 奶粉 保健品 烟草 香烟 酒类 预付卡 会员 会员卡 充值 办卡
        退卡 退款 市场监管 工商 营业执照 菜市场 农贸市场 摊位 批发 零售 商业 商贸 商会 招商 营销 直销 传销 非法集资
        集资 理财 网贷 返利 资金盘 庞氏 银行 信用卡 保险公司 电信 移动公司 联通 宽带 话费 加油站 4s店 汽车销售 二手车
        餐馆 饭店 餐饮 健身房 美容 美发 理发 洗浴
    """,
    "卫生计生": """
        医院 医生 护士 医师 主任医师 村医 乡村医生 执业 医护 患者 病人 看病 就医 住院 门诊 挂号 专家号 科室 病房 床位
        手术 治疗 病情 误诊 医疗 医疗事故 过度医疗 医患 医闹 回扣 药商 卫生院 卫生所 诊所 卫生服务中心 家庭医生 卫生局
        卫健委 卫计局 计生 计生办 计划生育 二胎 二孩 生育 生育证 准生证 出生证 独生 独生子女 失独 社会抚养费 结扎 节育
        流产 四术 疫苗 接种 防疫 疾控 传染病 核酸 发烧 狂犬 艾滋 精神病 疾病 癌症 肿瘤 尿毒症 透析 慢性病 门特 药品
        药店 处方 药价 医药 药费 医药费 检查费 体检 献血 b超 新农合 急救 救护车 母婴 孕妇 产检 妇幼 儿科 产科 护理
        中医 牙科 整形 莆田系
    """,
}

CUES: dict[str, tuple[str, ...]] = {dept: tuple(dict.fromkeys(words.split())) for dept, words in _CUES.items()}
# cue words normalised as the text is (lower case, digits → 0), each to its department
_DEPT_OF = {normalise(w): dept for dept, words in CUES.items() for w in words}
# longest first: the alternation takes the first that matches at a position, so 养老保险 beats 养老
_RX = re.compile("|".join(sorted(map(re.escape, _DEPT_OF), key=lambda w: (-len(w), w))))


def cue_features(text: str) -> list[str]:
    """One `#dept:<department>` feature per cue-word hit in the text (with repeats: they count)."""
    return ["#dept:" + _DEPT_OF[m.group()] for m in _RX.finditer(normalise(text))]
