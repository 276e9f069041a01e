// Request/reply handlers for the USD→PLN rate: the current one, and the booking rate of a day.
import { Controller } from '@nestjs/common';
import { MessagePattern, Payload, RpcException } from '@nestjs/microservices';
import { readConfig, subjectsFor } from '@mai/config';
import { UsdPlnQuote, bookingDayIssue } from '@mai/domain';
import { UsdPlnForDayRequest, UsdPlnReply } from '@mai/messaging';
import { fxMetrics } from './fx-metrics';
import { UsdPlnRates } from './usd-pln-rates';

// Nest binds message patterns when the class is defined, so the subjects are read from the environment here.
const subjects = subjectsFor(readConfig()).pricing;

@Controller()
export class UsdPlnController {
  constructor(private readonly rates: UsdPlnRates) {}

  @MessagePattern(subjects.usdPln)
  async usdPln(): Promise<UsdPlnReply> {
    return toReply('current', await this.rates.current());
  }

  @MessagePattern(subjects.usdPlnForDay)
  async usdPlnForDay(@Payload() request: Partial<UsdPlnForDayRequest> | null): Promise<UsdPlnReply> {
    const issue = bookingDayIssue(request?.day, new Date());
    if (issue) throw new RpcException(issue);
    return toReply('booked', await this.rates.bookedFor(request!.day!));
  }
}

function toReply(request: 'current' | 'booked', quote: UsdPlnQuote): UsdPlnReply {
  fxMetrics.replies.inc({ request, source: quote.source });
  return { usdPln: quote.usdPln.toString(), source: quote.source, effectiveDate: quote.effectiveDate };
}
