"""The default privacy notice of the resident portal (PIPL art. 17, SPEC D-3, W-1).

Version 1 of ``PrivacyNotice`` is written from these texts the first time the notice is
needed, with the company's name from the company settings; the company edits it from then
on (``org:privacy_notice``). The texts are data, one per language, not catalogue strings:
the company rewrites them in its own words, and each version keeps what residents read.
"""

from __future__ import annotations

# Used when the company settings have no name yet.
UNNAMED = {
    "text_zh_hans": "本物业服务企业",
    "text_zh_hant": "本物業服務企業",
    "text_en": "the property management company",
}

ZH_HANS = """\
{company}（以下简称“我们”）是本小区（大厦）的物业服务企业，是您在本页面提交的个人信息的处理者。提交前请阅读本说明。

一、我们处理哪些信息
您填写的姓名、手机号码、房号，您描述的事项，以及您上传的照片。照片在保存前会去除拍摄地点、拍摄设备等附加信息。

二、用于什么目的
仅用于受理、处理和答复您本次反映的投诉、意见或咨询：包括安排人员处理、通过短信告知处理进展和答复、办结后回访。投诉统计和报告中不出现您的姓名和电话。我们不会将您的信息用于营销，不会出售，也不会提供给与处理无关的第三方。

三、谁能看到
负责处理该事项的物业工作人员。事项需要开发建设单位或有关部门处理的，我们只提供处理所必需的信息。手机号码加密保存，工作人员查看完整号码会留下记录。

四、保存多长时间
自事项办结之日起保存两年，期满后删除或匿名化处理；法律、行政法规另有规定的，从其规定。

五、您的权利
您可以查阅、复制您的个人信息，要求更正、补充或删除，要求我们解释处理规则，也可以撤回您的同意（撤回不影响此前已进行的处理）。

六、如何联系我们
请联系您所在小区（大厦）的物业管理处，或{company}客户服务部门，我们将在十五个工作日内答复。您也可以向履行个人信息保护职责的部门投诉、举报。
"""

ZH_HANT = """\
{company}（以下簡稱「我們」）是本小區（大廈）的物業服務企業，是您在本頁面提交的個人資訊的處理者。提交前請閱讀本說明。

一、我們處理哪些資訊
您填寫的姓名、手機號碼、房號，您描述的事項，以及您上傳的照片。照片在保存前會去除拍攝地點、拍攝裝置等附加資訊。

二、用於什麼目的
僅用於受理、處理和答覆您本次反映的投訴、意見或諮詢：包括安排人員處理、透過簡訊告知處理進展和答覆、辦結後回訪。投訴統計和報告中不出現您的姓名和電話。我們不會將您的資訊用於行銷，不會出售，也不會提供給與處理無關的第三方。

三、誰能看到
負責處理該事項的物業工作人員。事項需要開發建設單位或有關部門處理的，我們只提供處理所必需的資訊。手機號碼加密保存，工作人員查看完整號碼會留下記錄。

四、保存多長時間
自事項辦結之日起保存兩年，期滿後刪除或匿名化處理；法律、行政法規另有規定的，從其規定。

五、您的權利
您可以查閱、複製您的個人資訊，要求更正、補充或刪除，要求我們解釋處理規則，也可以撤回您的同意（撤回不影響此前已進行的處理）。

六、如何聯絡我們
請聯絡您所在小區（大廈）的物業管理處，或{company}客戶服務部門，我們將在十五個工作日內答覆。您也可以向履行個人資訊保護職責的部門投訴、檢舉。
"""

EN = """\
{company} (“we”) manages this estate and is the handler of the personal information you send on this page. Please read this notice before you send anything.

1. What we process
The name, mobile phone number and unit you give, what you describe, and the photos you upload. Photos are stripped of their location, camera and other hidden details before they are stored.

2. What for
Only to receive, handle and answer the complaint, grievance or enquiry you send now: passing it to the staff who deal with it, telling you about progress and our reply by SMS, and a follow-up visit or call when it is done. Your name and phone number do not appear in statistics or reports. We do not use your information for marketing, do not sell it, and do not give it to anyone not involved in handling your matter.

3. Who sees it
The staff handling your matter. If the developer or an authority must deal with it, we pass on only what they need for that. Phone numbers are stored encrypted, and every time staff view a full number it is logged.

4. How long we keep it
Two years after your matter is closed; then it is deleted or anonymised, unless a law or regulation requires otherwise.

5. Your rights
You may see and copy your personal information, ask us to correct, complete or delete it, ask us to explain how we handle it, and withdraw your consent (this does not affect what was done before).

6. Whom to contact
The management office of your estate, or the customer-service department of {company}. We answer within fifteen working days. You may also complain to the authorities responsible for personal information protection.
"""


def default_texts(company: str) -> dict[str, str]:
    """The three default texts, naming the company (or "the property management company")."""
    texts = {"text_zh_hans": ZH_HANS, "text_zh_hant": ZH_HANT, "text_en": EN}
    name = company.strip()
    filled = {field: text.format(company=name or UNNAMED[field]).strip() for field, text in texts.items()}
    # "the property management company (“we”) …" starts a sentence.
    return {field: text[:1].upper() + text[1:] for field, text in filled.items()}
