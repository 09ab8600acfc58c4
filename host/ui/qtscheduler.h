// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QObject>
#include <QPointer>
#include <QTimer>
#include <unordered_map>

#include "util/scheduler.h"

namespace tessera::ui {

/**
 * @brief The core's Scheduler on the Qt event loop of the thread that created it.
 *
 * Timers are single-shot QTimers; post() is a queued call and the only thread-safe member.
 */
class QtScheduler final : public QObject, public Scheduler {
    Q_OBJECT
public:
    explicit QtScheduler(QObject *parent = nullptr);
    ~QtScheduler() override;

    std::int64_t nowMs() const override;
    std::int64_t wallClockMs() const override;
    TimerId schedule(std::int64_t delayMs, std::function<void()> fn) override;
    void cancel(TimerId id) override;
    void post(std::function<void()> fn) override;

private:
    TimerId m_nextId = 1;
    std::unordered_map<TimerId, QTimer *> m_timers;
};

} // namespace tessera::ui
