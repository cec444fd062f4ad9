"""The dialog engine through whole conversations: slots at once, cancel, corrections, asides,
two not-understood, quiet while a human talks."""

from __future__ import annotations

from test_dialog_helpers import advance, reply, rows, say, seed_customer, seed_staff

from storage.models import Handoff, OutboxMessage, ServiceTicket

BOOKING = "明天上午来修一下客厅的格力空调 不制冷 电话13812345678"
ADDRESS = "上海市浦东新区张江路88弄3号501室"


async def test_several_slots_in_one_message_ask_only_for_the_address(services):
    first = await say(services, BOOKING)
    assert "地址" in first
    assert "电话" not in first and "什么时候" not in first and "什么问题" not in first
    summary = await say(services, ADDRESS)
    assert "格力空调" in summary and "不制冷" in summary and ADDRESS in summary
    assert "13812345678" in summary and "11月26日" in summary
    assert "确认" in summary
    done = await say(services, "确认")
    assert "R20261125-0001" in done
    [ticket] = await rows(services, ServiceTicket)
    assert ticket.phone == "13812345678" and ticket.address == ADDRESS
    assert ticket.category == "空调" and ticket.brand == "格力" and ticket.symptom == "不制冷"


async def test_one_question_per_reply(services):
    text = await say(services, "修空调")
    assert text.count("？") + text.count("?") == 1


async def test_cancel_half_way_writes_no_ticket(services):
    await say(services, BOOKING)
    assert "已取消" in await say(services, "算了")
    assert await rows(services, ServiceTicket) == []
    # the form is gone: the address now means nothing to the bot
    after = await say(services, ADDRESS)
    assert "核对" not in after


async def test_cancel_words_work_at_the_confirmation_too(services):
    await say(services, BOOKING)
    await say(services, ADDRESS)
    assert "已取消" in await say(services, "不用了")
    assert "确认" not in await say(services, "好的")  # nothing left to confirm
    assert await rows(services, ServiceTicket) == []


async def test_correcting_the_phone_reconfirms_then_books_the_new_one(services):
    await say(services, BOOKING)
    await say(services, ADDRESS)
    fixed = await say(services, "电话写错了 是13987654321")
    assert "电话已更新" in fixed
    assert "13987654321" in fixed and "13812345678" not in fixed
    assert "确认" in fixed
    await say(services, "确认")
    [ticket] = await rows(services, ServiceTicket)
    assert ticket.phone == "13987654321"


async def test_correcting_the_address_at_the_confirmation(services):
    await say(services, BOOKING)
    await say(services, ADDRESS)
    fixed = await say(services, "地址改成浦东新区碧云路100弄5号")
    assert "浦东新区碧云路100弄5号" in fixed and ADDRESS not in fixed
    await say(services, "对的")
    [ticket] = await rows(services, ServiceTicket)
    assert ticket.address == "浦东新区碧云路100弄5号"


async def test_a_question_mid_form_is_answered_then_the_pending_question_comes_back(services):
    await say(services, BOOKING)
    aside = await say(services, "在吗")
    assert "您好" in aside
    assert aside.rstrip().endswith("请问上门地址是？（到门牌号哦）")
    assert "接着刚才的报修" in aside
    assert "核对" in await say(services, ADDRESS)


async def test_saying_no_at_the_confirmation_asks_what_to_change(services):
    await say(services, BOOKING)
    await say(services, ADDRESS)
    answer = await say(services, "不对")
    assert "哪一项要改" in answer
    assert await rows(services, ServiceTicket) == []


async def test_two_unknowns_in_a_row_offer_a_human_and_yes_hands_off(services):
    await seed_staff(services)
    first = await say(services, "你是机器人吗")
    assert "回复“是”就转" not in first
    second = await say(services, "今天股票涨了没")
    assert "人工" in second and "回复“是”就转" in second
    handed = await reply(services, "是")
    assert handed.text and "稍等" in handed.text
    [handoff] = await rows(services, Handoff)
    assert handoff.kind == "human_agent"
    notices = await rows(services, OutboxMessage, OutboxMessage.channel == "work_app")
    assert len(notices) == 1 and notices[0].recipient == "G001"


async def test_one_unknown_then_a_real_request_does_not_offer_a_human(services):
    await say(services, "你是机器人吗")
    text = await say(services, "修空调")
    assert "人工" not in text


async def test_two_unknowns_mid_form_offer_a_human_and_keep_the_question(services):
    await say(services, BOOKING)
    await say(services, "你是机器人吗")
    second = await say(services, "今天股票涨了没")
    assert "回复“人工”" in second and "地址" in second
    assert second.count("？") <= 1
    assert "稍等" in await say(services, "人工")
    assert len(await rows(services, Handoff)) == 1


async def test_the_bot_stays_quiet_while_a_human_has_the_customer(services):
    await seed_staff(services)
    await say(services, "我要投诉 师傅态度太差")
    quiet = await reply(services, "人呢？")
    assert quiet.empty
    advance(services, 29)
    assert (await reply(services, "还在吗")).empty
    advance(services, 2)  # 31 minutes after the complaint: the bot answers again
    assert "您好" in await say(services, "你好")


async def test_a_location_message_fills_a_pending_address(services):
    await say(services, BOOKING)
    text = await say(
        services,
        "",
        kind="location",
        raw={"Label": "上海市浦东新区张江路88弄3号", "Location_X": "31.2", "Location_Y": "121.6"},
    )
    assert "核对" in text and "张江路88弄3号" in text


async def test_non_text_messages_get_a_polite_answer(services):
    assert "链接" in await say(services, "", kind="link")
    assert "文件" in await say(services, "", kind="file")


async def test_greeting_shows_the_menu_with_the_customers_name(services):
    await seed_customer(services, name="李女士")
    text = await say(services, "你好")
    assert "李女士" in text and "报修" in text and "以旧换新" in text


async def test_thanks_is_short_and_warm(services):
    text = await say(services, "谢谢")
    assert "不客气" in text and len(text) < 40


async def test_two_users_do_not_share_a_form(services):
    await say(services, BOOKING, user="a")
    text = await say(services, ADDRESS, user="b")
    assert "核对" not in text
    assert "核对" in await say(services, ADDRESS, user="a")


async def test_the_clock_in_the_reply_is_local(services):
    await say(services, BOOKING)
    summary = await say(services, ADDRESS)
    assert "11月26日(周四) 09:00-12:00" in summary


async def test_a_ticket_status_question_mid_form_is_answered_and_the_form_resumes(services):
    await say(services, BOOKING)
    aside = await say(services, "我的工单到哪了")
    assert "接着刚才的报修" in aside
    assert aside.rstrip().endswith("请问上门地址是？（到门牌号哦）")
    assert "核对" in await say(services, ADDRESS)


async def test_td_mid_form_is_a_shortcut_not_an_address(services):
    await say(services, BOOKING)
    aside = await say(services, "TD")
    assert "关闭" in aside and "接着刚才的报修" in aside


async def test_declining_an_offer_with_the_right_answer_takes_it(services):
    await seed_customer(services, address="浦东新区碧云路100弄5号", phone="13700000000")
    await say(services, "格力空调不制冷 明天下午")
    summary = await say(services, "不是，" + ADDRESS)
    assert "核对" in summary and ADDRESS in summary


async def test_a_bare_number_mid_form_picks_from_the_list_even_when_a_rating_waits(services):
    from test_dialog_helpers import seed_device

    from bot.dialog import sessions

    cid = await seed_customer(services)
    await seed_device(services, cid, category="空调", brand="格力", location="客厅")
    await seed_device(services, cid, category="空调", brand="美的", location="主卧")
    await sessions.update(services, "mp:u1", expect={"kind": "rating", "ticket_id": 1})
    await say(services, "要报修")
    text = await say(services, "2")
    assert "主卧的美的空调出了什么问题" in text
    assert await rows(services, Handoff) == []


async def test_switching_to_another_request_mid_form(services):
    await say(services, BOOKING)
    text = await say(services, "我想预约安装一台热水器")
    assert "先不报修了" in text
    await say(services, "算了")
    assert await rows(services, ServiceTicket) == []


async def test_an_answer_to_a_later_question_is_kept_and_acknowledged(services):
    await say(services, "修一下空调 不制冷")
    text = await say(services, "后天下午三点")
    assert "时间记下了" in text and "地址" in text
    await say(services, ADDRESS)
    summary = await say(services, "13812345678")
    assert "11月27日(周五) 15:00-17:00" in summary


async def test_a_bare_ok_to_a_question_asks_it_again_without_the_menu(services):
    await say(services, BOOKING)
    text = await say(services, "好")
    assert text == "请问上门地址是？（到门牌号哦）"


async def test_still_the_same_address_accepts_the_offer(services):
    await seed_customer(services, address="浦东新区碧云路100弄5号", phone="13700000000")
    await say(services, "空调漏水了 明天下午")
    assert "核对" in await say(services, "还是那个地址")


async def test_chatter_with_a_date_word_does_not_move_the_booked_window(services):
    await say(services, BOOKING)
    await say(services, "今天股票涨了没")
    summary = await say(services, ADDRESS)
    assert "11月26日(周四) 09:00-12:00" in summary


async def test_a_new_time_at_the_confirmation_replaces_the_old_one(services):
    await say(services, BOOKING)
    await say(services, ADDRESS)
    text = await say(services, "改到后天下午吧")
    assert "时间已更新" in text and "11月27日(周五) 13:00-18:00" in text
