//! 简体中文字符串。

use super::Texts;

pub(super) const TEXTS: Texts = Texts {
    portal_name: "患者隐私门户",
    skip_to_content: "跳到主要内容",
    main_navigation: "主导航",
    nav_home: "首页",
    language_label: "语言",
    switch_language: "切换语言为",
    footer_note: "本门户由您的医院提供，让医院的隐私承诺成为您可以核实的事情。",
    loading: "正在加载…",

    landing_title: "查看谁打开了您的病历，以及原因",
    landing_lead: "医院会记录每一次对您病历的访问。本门户用通俗的语言向您展示这些记录，让您决定您的数据是否可用于科研和教学，并让您可以随时提出疑问和投诉——在手机上就能完成。",
    landing_what_heading: "您可以在这里做什么",
    landing_items: [
        (
            "查看谁打开了您的病历",
            "每一次访问：是谁、来自哪个科室、查看了什么、出于什么目的。异常访问会被标出并加以说明。",
        ),
        (
            "决定是否用于科研和教学",
            "将您的数据用于科研或教学需要您的单独同意。您可以随时同意、限定范围或撤回。",
        ),
        (
            "核对病历并申请更正",
            "查看医院在此共享的病历内容，发现错误可申请更正。医院须在期限内答复。",
        ),
        (
            "投诉并跟踪每一项申请",
            "提交投诉，并查看处理的每一步直至办结，以及医院必须答复的日期。",
        ),
        (
            "匿名举报隐私违规",
            "任何人都可以在不注册、不被识别身份的情况下举报隐私问题。",
        ),
    ],
    landing_account_heading: "如何获得账户",
    landing_account_body: "账户由医院为您创建，以确保账户只属于您本人。请到挂号处或患者服务中心办理：您会通过电子邮件或打印的二维码收到一个一次性链接，用它在手机上设置通行密钥（passkey），无需记住任何密码。",
    landing_promise_heading: "我们的承诺",
    landing_promise_body: "门户只向您展示您本人的数据。门户发出的电子邮件从不包含健康信息，只告诉您有新的变化。医务人员在门户内查看您的数据时，同样会出现在您的访问记录中。",
    landing_served_by: "提供机构",

    not_found_title: "找不到该页面",
    not_found_body: "此地址没有页面。页面可能已移动，或链接不完整。",
    back_home: "返回首页",

    error_title: "出现了问题",
    error_reference: "如需就此联系医院，请提供以下编号：",
    error_internal: "门户暂时无法完成您的请求。您填写的内容没有丢失，请稍后重试。",
    error_not_found: "您请求的内容不存在或已不可用。",
    error_unauthenticated: "请先登录。",
    error_forbidden: "您无权访问此内容。",
    error_invalid_input: "您填写的部分内容无法接受，请检查标出的字段。",
    error_rate_limited: "尝试次数过多，请几分钟后再试。",
    error_unavailable: "门户繁忙或正在维护，请稍后重试。",
    error_connection: "您的设备无法连接到门户，请检查网络后重试。",

    email_test_subject: "来自患者隐私门户的测试邮件",
    email_test_body: "这封邮件用于确认门户可以正常发送邮件，您无需进行任何操作。",
    email_footer: "本邮件由您所在医院的患者隐私门户发送，从不包含健康信息。详情请登录门户查看。",
};
