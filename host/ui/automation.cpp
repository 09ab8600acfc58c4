// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "automation.h"

#include <algorithm>
#include <functional>
#include <memory>

#include <QAbstractItemModel>
#include <QCoreApplication>
#include <QGuiApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QKeyEvent>
#include <QLocalSocket>
#include <QMouseEvent>
#include <QWheelEvent>
#include <QPointingDevice>
#include <QQmlApplicationEngine>
#include <QQuickItem>
#include <QQuickWindow>
#include <QTimer>

#include "hostcontroller.h"
#include "widgetcontroller.h"

namespace tessera::ui {

namespace {
void searchItems(QQuickItem *item, const QString &name, QList<QQuickItem *> &found)
{
    if (!item)
        return;
    if (item->objectName() == name)
        found.append(item);
    const auto children = item->childItems();
    for (QQuickItem *child : children)
        searchItems(child, name, found);
}

QJsonObject fail(const QString &error)
{
    return QJsonObject{{"ok", false}, {"error", error}};
}

bool effectivelyVisible(QQuickItem *item)
{
    for (QQuickItem *i = item; i; i = i->parentItem()) {
        if (!i->isVisible() || i->opacity() <= 0.0)
            return false;
    }
    return true;
}

// Where a click lands: the item's centre is inside the window and inside every ancestor that
// clips (a list scrolled so that the item is below its edge). A person scrolls it into view first.
bool centreInView(QQuickItem *item)
{
    const QPointF centre = item->mapToScene(QPointF(item->width() / 2, item->height() / 2));
    for (QQuickItem *i = item->parentItem(); i; i = i->parentItem()) {
        if (!i->clip())
            continue;
        const QRectF box = i->mapRectToScene(QRectF(0, 0, i->width(), i->height()));
        if (!box.contains(centre))
            return false;
    }
    const QQuickWindow *w = item->window();
    return !w || QRectF(0, 0, w->width(), w->height()).contains(centre);
}
} // namespace

AutomationServer::AutomationServer(QQmlApplicationEngine &engine, HostController &host, QObject *parent)
    : QObject(parent), m_engine(engine), m_host(host)
{
    connect(&m_server, &QLocalServer::newConnection, this, [this] {
        while (QLocalSocket *socket = m_server.nextPendingConnection()) {
            connect(socket, &QLocalSocket::disconnected, socket, &QObject::deleteLater);
            connect(socket, &QLocalSocket::readyRead, this, [this, socket] { serve(socket); });
        }
    });
}

namespace {
/** Set on a connection while one of its commands waits for a frame: the ones after it wait too. */
constexpr char kBusy[] = "tesseraAutomationBusy";
/** How long an input command waits for the window's next frame before it goes ahead anyway. */
constexpr int kFrameWaitMs = 1000;
/** How long a screenshot waits for the widgets' fresh frames. */
constexpr int kScreenshotWaitMs = 800;
} // namespace

void AutomationServer::serve(QLocalSocket *socket)
{
    // One command at a time per connection, in the order they came.
    while (!socket->property(kBusy).toBool() && socket->canReadLine()) {
        const QByteArray line = socket->readLine();
        const QJsonDocument doc = QJsonDocument::fromJson(line);
        if (!doc.isObject()) {
            answer(socket, QJsonObject(), fail(QStringLiteral("not a JSON object")));
            continue;
        }
        const QJsonObject command = doc.object();
        const QString cmd = command.value(QStringLiteral("cmd")).toString();
        const bool screenshot = cmd == QLatin1String("screenshot");
        // A person clicks what the screen shows: input at an item's place waits until the window
        // has laid out and drawn what changed (a dialog that just changed its content may still
        // have the old geometry, and a click there lands on another control).
        const bool pointer = cmd == QLatin1String("click") || cmd == QLatin1String("type") || cmd == QLatin1String("wheel");
        if (!screenshot && !pointer) {
            answer(socket, command, handle(command));
            continue;
        }
        socket->setProperty(kBusy, true);
        QPointer<QLocalSocket> guard(socket);
        auto run = [this, guard, command] {
            if (!guard)
                return;
            answer(guard, command, handle(command));
            guard->setProperty(kBusy, false);
            serve(guard);
        };
        if (screenshot) {
            // Fresh frames first, then time for them to arrive: forcing renders meanwhile would
            // make Qt 6.4 drop them (see WidgetController::requestRepaint).
            m_host.repaintWidgets();
            QTimer::singleShot(kScreenshotWaitMs, this, run);
        } else {
            afterNextFrame(run);
        }
    }
}

void AutomationServer::answer(QLocalSocket *socket, const QJsonObject &command, QJsonObject reply)
{
    if (command.contains(QStringLiteral("id")))
        reply.insert(QStringLiteral("id"), command.value(QStringLiteral("id")));
    socket->write(QJsonDocument(reply).toJson(QJsonDocument::Compact) + '\n');
    socket->flush();
}

void AutomationServer::afterNextFrame(const std::function<void()> &fn)
{
    QQuickWindow *w = window();
    if (!w) {
        QTimer::singleShot(0, this, fn);
        return;
    }
    auto done = std::make_shared<bool>(false);
    auto connection = std::make_shared<QMetaObject::Connection>();
    auto once = [done, connection, fn] {
        QObject::disconnect(*connection);
        if (*done)
            return;
        *done = true;
        fn();
    };
    // frameSwapped may come from the render thread: queued, so `fn` runs on this one.
    *connection = connect(w, &QQuickWindow::frameSwapped, this, once, Qt::QueuedConnection);
    QTimer::singleShot(kFrameWaitMs, this, once);
    w->update();
}

bool AutomationServer::listen(const QString &path, QString &error)
{
    QLocalServer::removeServer(path);
    m_server.setSocketOptions(QLocalServer::UserAccessOption);
    if (!m_server.listen(path)) {
        error = m_server.errorString();
        return false;
    }
    return true;
}

QQuickWindow *AutomationServer::window() const
{
    return qobject_cast<QQuickWindow *>(m_engine.rootObjects().value(0));
}

QQuickItem *AutomationServer::findItem(const QString &name) const
{
    QQuickWindow *w = window();
    if (!w)
        return nullptr;
    // A view's delegates can outlive a model reset for a while, under the same names: the one
    // on show is the one meant.
    QList<QQuickItem *> found;
    searchItems(w->contentItem(), name, found);
    for (QQuickItem *item : found) {
        if (effectivelyVisible(item))
            return item;
    }
    return found.value(0);
}

QObject *AutomationServer::findObject(const QString &name) const
{
    if (QQuickItem *item = findItem(name))
        return item;
    QQuickWindow *w = window();
    return w ? w->findChild<QObject *>(name) : nullptr;
}

void AutomationServer::click(QQuickItem *item)
{
    // As from a mouse: move there, press, release, each with its own timestamp (a press and a
    // release at the same instant inside a Flickable, such as the widget tabs, is not a click).
    QQuickWindow *w = window();
    const QPointF scene = item->mapToScene(QPointF(item->width() / 2, item->height() / 2));
    const QPointF global = w->mapToGlobal(scene.toPoint());
    const QPointingDevice *mouse = QPointingDevice::primaryPointingDevice();
    const auto send = [&](QEvent::Type type, Qt::MouseButton button, Qt::MouseButtons buttons) {
        QMouseEvent event(type, scene, scene, global, button, buttons, Qt::NoModifier, mouse);
        event.setTimestamp(m_eventTime += 20);
        QCoreApplication::sendEvent(w, &event);
    };
    send(QEvent::MouseMove, Qt::NoButton, Qt::NoButton);
    send(QEvent::MouseButtonPress, Qt::LeftButton, Qt::LeftButton);
    send(QEvent::MouseButtonRelease, Qt::LeftButton, Qt::NoButton);
}

QJsonObject AutomationServer::handle(const QJsonObject &command)
{
    const QString cmd = command.value(QStringLiteral("cmd")).toString();
    const QString name = command.value(QStringLiteral("name")).toString();

    if (cmd == QLatin1String("find")) {
        QObject *o = findObject(name);
        if (!o)
            return QJsonObject{{"ok", true}, {"found", false}};
        auto *item = qobject_cast<QQuickItem *>(o);
        return QJsonObject{{"ok", true},
                           {"found", true},
                           {"visible", item ? effectivelyVisible(item) : o->property("visible").toBool()},
                           {"inView", item ? effectivelyVisible(item) && centreInView(item) : false},
                           {"enabled", o->property("enabled").toBool()},
                           {"text", o->property("text").toString()},
                           {"checked", o->property("checked").toBool()}};
    }
    if (cmd == QLatin1String("click")) {
        QQuickItem *item = findItem(name);
        if (!item)
            return fail(QStringLiteral("no item named ") + name);
        if (!effectivelyVisible(item) || !item->isEnabled())
            return fail(name + QStringLiteral(" is not visible or not enabled"));
        click(item);
        return QJsonObject{{"ok", true}};
    }
    if (cmd == QLatin1String("wheel")) {
        // A mouse wheel over the item: `steps` notches (120 each), up when `dy` is positive.
        QQuickItem *item = findItem(name);
        QQuickWindow *w = window();
        if (!item || !w)
            return fail(QStringLiteral("no item named ") + name);
        if (!effectivelyVisible(item))
            return fail(name + QStringLiteral(" is not visible"));
        const int steps = std::clamp(command.value(QStringLiteral("steps")).toInt(1), 1, 50);
        const int dy = command.value(QStringLiteral("dy")).toInt(1) >= 0 ? 120 : -120;
        const QPointF scene = item->mapToScene(QPointF(item->width() / 2, item->height() / 2));
        const QPointF global = w->mapToGlobal(scene.toPoint());
        for (int i = 0; i < steps; ++i) {
            QWheelEvent wheel(scene, global, QPoint(), QPoint(0, dy), Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
            wheel.setTimestamp(m_eventTime += 20);
            QCoreApplication::sendEvent(w, &wheel);
        }
        return QJsonObject{{"ok", true}};
    }
    if (cmd == QLatin1String("setText")) {
        QQuickItem *item = findItem(name);
        if (!item)
            return fail(QStringLiteral("no item named ") + name);
        item->forceActiveFocus();
        item->setProperty("text", command.value(QStringLiteral("text")).toString());
        return QJsonObject{{"ok", true}};
    }
    if (cmd == QLatin1String("type")) {
        // Real typing: a click into the field, then a key press and release per character.
        QQuickItem *item = findItem(name);
        QQuickWindow *w = window();
        if (!item || !w)
            return fail(QStringLiteral("no item named ") + name);
        if (!effectivelyVisible(item) || !item->isEnabled())
            return fail(name + QStringLiteral(" is not visible or not enabled"));
        click(item);
        if (command.value(QStringLiteral("replace")).toBool()) {
            QKeyEvent selectAll(QEvent::KeyPress, Qt::Key_A, Qt::ControlModifier);
            QCoreApplication::sendEvent(w, &selectAll);
        }
        for (const QChar c : command.value(QStringLiteral("text")).toString()) {
            QKeyEvent press(QEvent::KeyPress, 0, Qt::NoModifier, QString(c));
            QCoreApplication::sendEvent(w, &press);
            QKeyEvent release(QEvent::KeyRelease, 0, Qt::NoModifier, QString(c));
            QCoreApplication::sendEvent(w, &release);
        }
        return QJsonObject{{"ok", true}};
    }
    if (cmd == QLatin1String("key")) {
        QQuickWindow *w = window();
        const QString key = command.value(QStringLiteral("key")).toString();
        const int code = key == QLatin1String("Return") ? Qt::Key_Return : key == QLatin1String("Escape") ? Qt::Key_Escape : 0;
        if (!w || code == 0)
            return fail(QStringLiteral("unknown key ") + key);
        QKeyEvent press(QEvent::KeyPress, code, Qt::NoModifier);
        QCoreApplication::sendEvent(w, &press);
        QKeyEvent release(QEvent::KeyRelease, code, Qt::NoModifier);
        QCoreApplication::sendEvent(w, &release);
        return QJsonObject{{"ok", true}};
    }
    if (cmd == QLatin1String("property")) {
        QObject *o = name.isEmpty() ? static_cast<QObject *>(&m_host) : findObject(name);
        if (!o)
            return fail(QStringLiteral("no item named ") + name);
        const QVariant v = o->property(command.value(QStringLiteral("property")).toString().toUtf8());
        return QJsonObject{{"ok", true}, {"value", QJsonValue::fromVariant(v)}};
    }
    if (cmd == QLatin1String("widgets")) {
        QJsonArray list;
        for (QObject *o : m_host.widgets()) {
            auto *w = static_cast<WidgetController *>(o);
            list.append(QJsonObject{{"widgetId", w->widgetId()},
                                    {"name", w->name()},
                                    {"state", w->state()},
                                    {"origin", w->origin()},
                                    {"frameLoaded", w->frameLoaded()},
                                    {"errorTitle", w->errorTitle()},
                                    {"errorText", w->errorText()},
                                    {"inCall", w->inCall()},
                                    {"approved", QJsonArray::fromStringList(w->approvedCapabilities())}});
        }
        return QJsonObject{{"ok", true}, {"widgets", list}};
    }
    if (cmd == QLatin1String("timeline")) {
        QJsonArray rows;
        auto *model = qobject_cast<QAbstractItemModel *>(m_host.timeline());
        const QHash<int, QByteArray> roles = model->roleNames();
        const int bodyRole = roles.key("body"), senderRole = roles.key("sender"), kindRole = roles.key("kind");
        for (int i = 0; i < model->rowCount(); ++i) {
            const QModelIndex idx = model->index(i, 0);
            rows.append(QJsonObject{{"sender", model->data(idx, senderRole).toString()},
                                    {"body", model->data(idx, bodyRole).toString()},
                                    {"kind", model->data(idx, kindRole).toString()}});
        }
        return QJsonObject{{"ok", true}, {"timeline", rows}};
    }
    if (cmd == QLatin1String("model")) {
        // Every row of one of the shell's list models, each role by its QML name.
        const QString which = command.value(QStringLiteral("model")).toString();
        static const QStringList kModels{QStringLiteral("rooms"), QStringLiteral("timeline"), QStringLiteral("consentPrompts"),
                                         QStringLiteral("permissions"), QStringLiteral("audit")};
        if (!kModels.contains(which))
            return fail(QStringLiteral("no model named ") + which + QStringLiteral("; one of ") + kModels.join(QStringLiteral(", ")));
        auto *model = qobject_cast<QAbstractItemModel *>(m_host.property(which.toUtf8()).value<QObject *>());
        if (!model)
            return fail(QStringLiteral("the model ") + which + QStringLiteral(" is not available"));
        const QHash<int, QByteArray> roles = model->roleNames();
        QJsonArray rows;
        for (int i = 0; i < model->rowCount(); ++i) {
            const QModelIndex idx = model->index(i, 0);
            QJsonObject row;
            for (auto r = roles.cbegin(); r != roles.cend(); ++r)
                row.insert(QString::fromUtf8(r.value()), QJsonValue::fromVariant(model->data(idx, r.key())));
            rows.append(row);
        }
        return QJsonObject{{"ok", true}, {"rows", rows}};
    }
    if (cmd == QLatin1String("screenshot")) {
        QQuickWindow *w = window();
        const QString path = command.value(QStringLiteral("path")).toString();
        if (!w || path.isEmpty() || !w->grabWindow().save(path, "PNG"))
            return fail(QStringLiteral("cannot save a screenshot to ") + path);
        return QJsonObject{{"ok", true}};
    }
    if (cmd == QLatin1String("kick")) {
        int n = 0;
        std::function<void(QQuickItem *)> kick = [&](QQuickItem *item) {
            item->update();
            ++n;
            for (QQuickItem *c : item->childItems())
                kick(c);
        };
        if (QQuickItem *root = findItem(name))
            kick(root);
        return QJsonObject{{"ok", true}, {"items", n}};
    }
    if (cmd == QLatin1String("quit")) {
        QMetaObject::invokeMethod(qApp, [] { QCoreApplication::exit(0); }, Qt::QueuedConnection);
        return QJsonObject{{"ok", true}};
    }
    return fail(QStringLiteral("unknown command ") + cmd);
}

} // namespace tessera::ui
