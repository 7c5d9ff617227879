"""Version 1 of the consent notice, in every language, so a new install asks before it keeps anything."""

from django.db import migrations

NOTICE = {
    "title": {
        "ja": "旅の計画を保存しますか？",
        "en": "Remember your trip plans?",
        "zh_hant": "要保存您的旅行計畫嗎？",
        "zh_hans": "要保存您的旅行计划吗？",
        "ko": "여행 계획을 저장할까요?",
        "th": "ต้องการบันทึกแผนการเดินทางของคุณไหม?",
    },
    "data_collected": {
        "ja": "この端末のクッキーに保存するランダムな訪問者番号、保存したルート、お知らせいただいた興味・旅行月・同行者、このサイトで見たルートやスポットとその閲覧時間。",
        "en": "A random visitor number in a cookie on this device, the routes you save, the interests, travel month and "
        "party you tell us, and which routes and spots you view on this site and for how long.",
        "zh_hant": "儲存在此裝置 Cookie 中的隨機訪客編號、您儲存的路線、您告訴我們的興趣、旅行月份與同行者，以及您在本網站瀏覽的路線、景點與瀏覽時間。",
        "zh_hans": "保存在此设备 Cookie 中的随机访客编号、您保存的路线、您告诉我们的兴趣、旅行月份和同行者，以及您在本网站浏览的路线、景点和浏览时长。",
        "ko": "이 기기의 쿠키에 저장되는 무작위 방문자 번호, 저장한 코스, 알려 주신 관심사·여행 월·동행자, 이 사이트에서 본 코스와 명소 및 열람 시간.",
        "th": "หมายเลขผู้เยี่ยมชมแบบสุ่มในคุกกี้บนอุปกรณ์นี้ เส้นทางที่คุณบันทึก ความสนใจ เดือนที่เดินทาง และผู้ร่วมเดินทางที่คุณบอกเรา "
        "รวมถึงเส้นทางและสถานที่ที่คุณดูบนเว็บไซต์นี้และระยะเวลาที่ดู",
    },
    "purpose": {
        "ja": "保存したルートを次回の訪問でも表示し、あなたに合うルートをおすすめするため。広告には使いません。",
        "en": "To keep your saved routes for your next visit and to recommend routes that suit you. "
        "Nothing is used for advertising.",
        "zh_hant": "讓您下次造訪時仍能看到已儲存的路線，並推薦適合您的路線。不會用於廣告。",
        "zh_hans": "让您下次访问时仍能看到已保存的路线，并推荐适合您的路线。不会用于广告。",
        "ko": "다음 방문 때도 저장한 코스를 보여 드리고 취향에 맞는 코스를 추천하기 위해서입니다. 광고에는 사용하지 않습니다.",
        "th": "เพื่อเก็บเส้นทางที่คุณบันทึกไว้สำหรับการเยี่ยมชมครั้งถัดไป และแนะนำเส้นทางที่เหมาะกับคุณ ไม่ใช้เพื่อการโฆษณา",
    },
    "recipients": {
        "ja": "このサイトの運営チームのみです。販売したり他社に渡したりすることはなく、他社のスクリプトもこのページでは動作しません。",
        "en": "Only the team that runs this site. It is not sold or passed to any other company, and no other "
        "company's scripts run on these pages.",
        "zh_hant": "僅限本網站的營運團隊。不會出售或提供給其他公司，本網站頁面也不執行其他公司的程式。",
        "zh_hans": "仅限本网站的运营团队。不会出售或提供给其他公司，本网站页面也不运行其他公司的脚本。",
        "ko": "이 사이트의 운영팀만 받습니다. 판매하거나 다른 회사에 제공하지 않으며, 이 페이지에서는 다른 회사의 스크립트가 실행되지 않습니다.",
        "th": "เฉพาะทีมผู้ดูแลเว็บไซต์นี้เท่านั้น เราไม่ขายหรือส่งต่อข้อมูลให้บริษัทอื่น และไม่มีสคริปต์ของบริษัทอื่นทำงานบนหน้าเว็บเหล่านี้",
    },
}


def create_notice(apps, schema_editor):
    ConsentNotice = apps.get_model("consent", "ConsentNotice")
    if ConsentNotice.objects.exists():
        return
    fields = {"version": 1}
    for name, texts in NOTICE.items():
        fields[name] = texts["ja"]
        fields.update({f"{name}_{code}": text for code, text in texts.items()})
    ConsentNotice.objects.create(**fields)


class Migration(migrations.Migration):
    dependencies = [("consent", "0001_initial")]
    operations = [migrations.RunPython(create_notice, migrations.RunPython.noop)]
