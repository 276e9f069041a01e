// The wire shapes of the dashboard API (contract §5), described for /api/openapi.json. USD amounts are JSON
// numbers rounded half-up to 9 decimals; PLN to 2. Cost fields are null for `role: member`.
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

const usd = (description: string) => ApiProperty({ type: Number, nullable: true, description: `${description}; USD, 9 decimals; null for members`, example: 0.125 });
const pln = () => ApiProperty({ type: Number, nullable: true, description: 'round_half_up(markup_cost × usd_pln, 2) from the exact markup; null for members', example: 0.46 });

export class PeriodDto {
  @ApiProperty({ example: '2026-12-01', format: 'date' }) start!: string;
  @ApiProperty({ example: '2026-12-04', format: 'date' }) end!: string;
  @ApiProperty({ example: 'Europe/Warsaw', description: "The organization's IANA time zone: it decides what a day is" }) timezone!: string;
}

export class ExchangeRateDto {
  @ApiProperty({ example: 3.6521 }) usd_pln!: number;
  @ApiProperty({ enum: ['nbp', 'cache', 'fallback'], example: 'nbp' }) source!: string;
  @ApiProperty({ type: String, nullable: true, format: 'date', example: '2026-12-03', description: "NBP table's effective date; null for the fallback" })
  effective_date!: string | null;
}

export class ModelUsageDto {
  @ApiProperty({ example: 'anthropic/claude-sonnet-4' }) model_name!: string;
  @ApiProperty({ example: 'Claude Sonnet 4' }) display_name!: string;
  @ApiProperty({ example: 'Anthropic' }) provider!: string;
  @ApiProperty({ example: 15750 }) total_tokens!: number;
  @ApiProperty({ example: 45 }) total_requests!: number;
  @usd('Cost before markup') raw_cost!: number | null;
  @usd('Cost with the markup in force when each generation happened') markup_cost!: number | null;
  @pln() cost_pln!: number | null;
  @ApiProperty({ example: 12, description: 'Days in the period with at least one request' }) days_used!: number;
}

export class UsageTotalsDto {
  @ApiProperty() total_tokens!: number;
  @ApiProperty() total_requests!: number;
  @usd('Sum of raw_cost') raw_cost!: number | null;
  @usd('Sum of markup_cost') markup_cost!: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'From the total markup_cost (not a sum of rounded lines); null for members' }) cost_pln!: number | null;
}

export class UsageByModelResponse {
  @ApiProperty({ enum: [true] }) success!: true;
  @ApiProperty({ type: PeriodDto }) period!: PeriodDto;
  @ApiProperty({ type: ExchangeRateDto }) exchange_rate!: ExchangeRateDto;
  @ApiProperty({
    type: [ModelUsageDto],
    description: 'Every catalog model. Models with markup_cost > 0 by markup_cost desc (ties: total_tokens desc, model_name asc), then the rest by model_name asc',
  })
  model_usage!: ModelUsageDto[];
  @ApiProperty({ type: UsageTotalsDto }) totals!: UsageTotalsDto;
}

export class TopModelDto {
  @ApiProperty({ example: 'google/gemini-2.5-flash' }) model_name!: string;
  @ApiProperty({ example: 'Gemini 2.5 Flash' }) display_name!: string;
  @ApiProperty({ example: 812000 }) total_tokens!: number;
}

export class TopModelsResponse {
  @ApiProperty({ enum: [true] }) success!: true;
  @ApiProperty({ type: PeriodDto }) period!: PeriodDto;
  @ApiProperty({ type: [TopModelDto], description: 'At most 3 models with tokens > 0, by tokens desc (ties: model_name asc)' }) top_models!: TopModelDto[];
}

export class BusiestDayDto {
  @ApiProperty({ format: 'date', example: '2026-12-03' }) date!: string;
  @ApiProperty({ example: 91000 }) total_tokens!: number;
}

export class HighestCostDayDto {
  @ApiProperty({ format: 'date', example: '2026-12-02' }) date!: string;
  @ApiProperty({ description: 'USD, 9 decimals', example: 1.3 }) markup_cost!: number;
  @ApiProperty({ example: 4.75 }) cost_pln!: number;
}

export class MonthlySummaryResponse {
  @ApiProperty({ enum: [true] }) success!: true;
  @ApiProperty({ example: '2026-12' }) month!: string;
  @ApiProperty({ type: PeriodDto, description: 'The whole month' }) period!: PeriodDto;
  @ApiProperty({ description: 'Days from the 1st to today, or the whole month once over; 0 for a month to come', example: 4 }) days_elapsed!: number;
  @ApiProperty({ description: 'Days with at least one request', example: 3 }) days_with_usage!: number;
  @ApiProperty({ type: ExchangeRateDto }) exchange_rate!: ExchangeRateDto;
  @ApiProperty({ description: "Month's tokens ÷ days_elapsed, rounded half-up (0 when no day has elapsed)" }) average_daily_tokens!: number;
  @ApiProperty({ type: Number, nullable: true, description: "Month's markup USD ÷ days_elapsed, 4 decimals half-up; null for members" }) average_daily_cost!: number | null;
  @ApiProperty({ description: "Month's tokens ÷ days_with_usage, rounded half-up (0 without usage)" }) average_usage_day_tokens!: number;
  @ApiProperty({ type: BusiestDayDto, nullable: true, description: 'Most tokens, earliest on a tie; null when no day has tokens' }) busiest_day!: BusiestDayDto | null;
  @ApiProperty({ type: HighestCostDayDto, nullable: true, description: 'Highest markup cost, earliest on a tie; null without cost, and for members' })
  highest_cost_day!: HighestCostDayDto | null;
  @ApiProperty({ description: 'Distinct `user` values in the month' }) total_unique_users!: number;
  @ApiProperty({ type: [TopModelDto] }) top_models!: TopModelDto[];
}

export class DailyUsageRowDto {
  @ApiProperty({ format: 'date', example: '2026-12-02' }) date!: string;
  @ApiProperty() model_name!: string;
  @ApiProperty() display_name!: string;
  @ApiProperty() provider!: string;
  @ApiProperty() total_tokens!: number;
  @ApiProperty() total_requests!: number;
  @usd('Cost before markup') raw_cost!: number | null;
  @usd('Cost with markup') markup_cost!: number | null;
  @pln() cost_pln!: number | null;
}

export class DailyUsageResponse {
  @ApiProperty({ enum: [true] }) success!: true;
  @ApiProperty({ type: PeriodDto }) period!: PeriodDto;
  @ApiProperty({ type: ExchangeRateDto }) exchange_rate!: ExchangeRateDto;
  @ApiPropertyOptional({ type: String, nullable: true, description: 'The model filter, when given' }) model!: string | null;
  @ApiProperty({ type: [DailyUsageRowDto], description: 'One row per day and model with usage, by date then model_name' }) daily_usage!: DailyUsageRowDto[];
}

export class ErrorResponse {
  @ApiProperty({ enum: [false] }) success!: false;
  @ApiProperty({ example: 'start (2026-12-05) must not be after end (2026-12-04)' }) error!: string;
  @ApiProperty({ example: 400 }) status!: number;
}
