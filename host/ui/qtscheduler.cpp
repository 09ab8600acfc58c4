// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "qtscheduler.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QMetaObject>

namespace tessera::ui {

namespace {
const QElapsedTimer &monotonic()
{
    static const QElapsedTimer timer = [] {
        QElapsedTimer t;
        t.start();
        return t;
    }();
    return timer;
}
} // namespace

QtScheduler::QtScheduler(QObject *parent) : QObject(parent)
{
    monotonic();
}

QtScheduler::~QtScheduler()
{
    for (auto &[id, timer] : m_timers)
        delete timer;
}

std::int64_t QtScheduler::nowMs() const
{
    return monotonic().elapsed();
}

std::int64_t QtScheduler::wallClockMs() const
{
    return QDateTime::currentMSecsSinceEpoch();
}

Scheduler::TimerId QtScheduler::schedule(std::int64_t delayMs, std::function<void()> fn)
{
    const TimerId id = m_nextId++;
    auto *timer = new QTimer;
    timer->setSingleShot(true);
    timer->setTimerType(Qt::PreciseTimer);
    QObject::connect(timer, &QTimer::timeout, this, [this, id, fn = std::move(fn)] {
        auto it = m_timers.find(id);
        if (it == m_timers.end())
            return;
        it->second->deleteLater();
        m_timers.erase(it);
        fn();
    });
    m_timers.emplace(id, timer);
    timer->start(int(std::clamp<std::int64_t>(delayMs, 0, std::numeric_limits<int>::max())));
    return id;
}

void QtScheduler::cancel(TimerId id)
{
    auto it = m_timers.find(id);
    if (it == m_timers.end())
        return;
    it->second->stop();
    it->second->deleteLater();
    m_timers.erase(it);
}

void QtScheduler::post(std::function<void()> fn)
{
    QMetaObject::invokeMethod(this, std::move(fn), Qt::QueuedConnection);
}

} // namespace tessera::ui
