// Query parameters of the dashboard routes. Only their types are checked here; what makes a date or a month
// valid (real calendar day, start ≤ end, ≤ 366 days) is the domain's rule, applied in the use cases.
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';

const day = (what: string, example: string) =>
  ApiPropertyOptional({ description: `${what} (YYYY-MM-DD, inclusive, in the organization's time zone)`, example, format: 'date' });

export class DateRangeQuery {
  @day('First day; default the 1st of the current month', '2026-12-01')
  @IsOptional()
  @IsString({ message: 'start must be a single YYYY-MM-DD date' })
  start?: string;

  @day('Last day; default today', '2026-12-04')
  @IsOptional()
  @IsString({ message: 'end must be a single YYYY-MM-DD date' })
  end?: string;
}

export class DailyUsageQuery extends DateRangeQuery {
  @ApiPropertyOptional({ description: 'Only this model id', example: 'openai/gpt-4o-mini' })
  @IsOptional()
  @IsString({ message: 'model must be a single model id' })
  @MaxLength(200, { message: 'model must be at most 200 characters' })
  model?: string;
}

export class MonthQuery {
  @ApiPropertyOptional({ description: "Month (YYYY-MM) in the organization's time zone; default the current month", example: '2026-12' })
  @IsOptional()
  @IsString({ message: 'month must be a single YYYY-MM month' })
  month?: string;
}
